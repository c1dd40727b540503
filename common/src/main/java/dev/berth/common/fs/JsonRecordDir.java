package dev.berth.common.fs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Records as JSON files in one directory, one per ID, replaced atomically without fsync ({@link AtomicFiles#replace}):
 * a crash of berth leaves the old file or the new one. Either {@code <dir>/<id>.json} ({@link #flat}), or
 * {@code <dir>/<id>/<file>} ({@link #perId}) where the ID's directory also holds whatever else is kept for the object.
 *
 * @param <T> the record type (a Java record Jackson maps by its components)
 */
public final class JsonRecordDir<T> {

    private static final String SUFFIX = ".json";

    private final Path dir;
    private final String fileName;
    private final Class<T> type;
    private final ObjectMapper json;

    private JsonRecordDir(Path dir, String fileName, Class<T> type, ObjectMapper json) {
        this.dir = dir;
        this.fileName = fileName;
        this.type = type;
        this.json = json;
    }

    /** {@code <dir>/<id>.json}; the directory is created now. */
    public static <T> JsonRecordDir<T> flat(Path dir, Class<T> type, ObjectMapper json) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        return new JsonRecordDir<>(dir, null, type, json);
    }

    /** {@code <dir>/<id>/<fileName>}; directories are created by the first write. */
    public static <T> JsonRecordDir<T> perId(Path dir, String fileName, Class<T> type, ObjectMapper json) {
        return new JsonRecordDir<>(dir, fileName, type, json);
    }

    public Path dir() {
        return dir;
    }

    /** The directory of one ID's record and of what else is kept for it ({@link #perId} layout). */
    public Path directoryOf(String id) {
        return dir.resolve(id);
    }

    public Path file(String id) {
        return fileName == null ? dir.resolve(id + SUFFIX) : directoryOf(id).resolve(fileName);
    }

    /** Throws UncheckedIOException; its cause is Jackson's exception when the value cannot be encoded. */
    public void write(String id, T value) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + file(id), e);
        }
        AtomicFiles.replace(file(id), bytes);
    }

    /** The value, empty when there is no such file; throws when the file cannot be read or parsed. */
    public Optional<T> read(String id) {
        try {
            return Optional.of(json.readValue(Files.readAllBytes(file(id)), type));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file(id), e);
        }
    }

    /** Deletes the record's file (not an ID's directory). */
    public void delete(String id) {
        try {
            Files.deleteIfExists(file(id));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file(id), e);
        }
    }

    /**
     * The IDs present: files of the flat layout (temp files of interrupted writes left out), directories of the
     * per-ID layout whether they hold a record or not.
     */
    public List<String> ids() {
        try (Stream<Path> entries = Files.list(dir)) {
            if (fileName == null) {
                return entries.map(f -> f.getFileName().toString())
                        .filter(n -> n.endsWith(SUFFIX) && !n.startsWith("."))
                        .map(n -> n.substring(0, n.length() - SUFFIX.length())).toList();
            }
            return entries.filter(Files::isDirectory).map(d -> d.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** Removes the temp files writes left when a crash interrupted them, and says which. */
    public List<Path> removeTempFiles() {
        List<Path> removed = new ArrayList<>();
        try {
            if (fileName == null) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path file : files.filter(f -> f.getFileName().toString().startsWith(".")).toList()) {
                        Files.deleteIfExists(file);
                        removed.add(file);
                    }
                }
                return removed;
            }
            for (String id : ids()) {
                try (DirectoryStream<Path> temps = Files.newDirectoryStream(directoryOf(id),
                        "." + fileName + ".tmp-*")) {
                    for (Path temp : temps) {
                        Files.deleteIfExists(temp);
                        removed.add(temp);
                    }
                } catch (NoSuchFileException e) {
                    // the directory went away meanwhile: nothing to clean
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + dir, e);
        }
        return removed;
    }
}
