package dev.berth.cni.attach;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.fs.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A directory of {@code <name>.json} files, one value each, written atomically (temp file, rename). No fsync: they
 * describe this boot's attachments, and a file lost to an OS crash is one less thing to collect.
 */
public final class JsonDir<T> {

    private static final String SUFFIX = ".json";

    private final Path dir;
    private final Class<T> type;
    private final ObjectMapper json;

    public JsonDir(Path dir, Class<T> type, ObjectMapper json) {
        this.dir = dir;
        this.type = type;
        this.json = json;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    public void write(String name, T value) {
        try {
            AtomicFiles.replace(file(name), json.writeValueAsBytes(value));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + file(name), e);
        }
    }

    /** The value, empty when there is no such file; throws when the file cannot be read or parsed. */
    public Optional<T> read(String name) {
        try {
            return Optional.of(json.readValue(Files.readAllBytes(file(name)), type));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file(name), e);
        }
    }

    public void delete(String name) {
        try {
            Files.deleteIfExists(file(name));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file(name), e);
        }
    }

    /** The names of the values present (temp files of interrupted writes left out). */
    public List<String> names() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(SUFFIX) && !n.startsWith("."))
                    .map(n -> n.substring(0, n.length() - SUFFIX.length())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** Removes the temp files writes left when a crash interrupted them. */
    public void removeTempFiles() {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith(".")).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + dir, e);
        }
    }

    private Path file(String name) {
        return dir.resolve(name + SUFFIX);
    }
}
