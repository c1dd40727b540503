package dev.berth.runtime.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.error.BerthException;
import dev.berth.common.fs.AtomicFiles;
import dev.berth.common.fs.Trees;
import dev.berth.common.fs.MountTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON file per record, {@code <dir>/<id>/record.json}, written atomically (temp file, rename), so a crash of
 * berth leaves the old record or the new one. No fsync: the records describe processes and namespaces of this boot;
 * after an OS crash a record that is older, missing or garbled is recovered as exited or swept as an orphan. The
 * directory of an ID also holds whatever else berth keeps for that object, so it is deleted only when nothing is
 * mounted inside it.
 *
 * @param <T> the record type (a Java record Jackson maps by its components)
 */
public final class RecordStore<T> {

    private static final Logger LOG = LoggerFactory.getLogger(RecordStore.class);
    private static final String FILE = "record.json";

    private final Path dir;
    private final Class<T> type;
    private final ObjectMapper mapper;

    public RecordStore(Path dir, Class<T> type, ObjectMapper mapper) {
        this.dir = dir;
        this.type = type;
        this.mapper = mapper;
    }

    /** What {@link #loadAll} found. */
    public record Loaded<T>(Map<String, T> records, List<String> orphans) {
    }

    /** The directory berth keeps for one object (created on first save). */
    public Path directoryOf(String id) {
        return dir.resolve(id);
    }

    public void save(String id, T record) {
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(record);
        } catch (IOException e) {
            throw BerthException.internal("cannot serialize record " + id, e);
        }
        try {
            AtomicFiles.replace(directoryOf(id).resolve(FILE), json);
        } catch (UncheckedIOException e) {
            throw BerthException.internal("cannot persist record " + id + ": " + e.getCause().getMessage(), e);
        }
    }

    /**
     * Deletes the record and the object's directory. A directory that still has a mount inside keeps everything
     * but the record file (deleting through a mount would delete the mounted content) and is reported false.
     */
    public boolean delete(String id) {
        Path objectDir = directoryOf(id);
        try {
            Files.deleteIfExists(objectDir.resolve(FILE));
        } catch (IOException e) {
            throw BerthException.internal("cannot delete record " + id + ": " + e.getMessage(), e);
        }
        List<MountTable.Entry> mounts = MountTable.current().under(objectDir);
        if (!mounts.isEmpty()) {
            LOG.warn("event=record_dir_kept id={} reason=mounted mounts={}", id,
                    mounts.stream().map(MountTable.Entry::mountPoint).toList());
            return false;
        }
        try {
            Trees.deleteRecursively(objectDir);
        } catch (UncheckedIOException e) {
            throw BerthException.internal("cannot delete " + objectDir + ": " + e.getCause().getMessage(), e);
        }
        return true;
    }

    /**
     * Reads every record. Stray temp files of interrupted writes are removed; a record that does not parse is
     * logged and removed, and its ID is reported as an orphan with the IDs of directories that have no record, so
     * that recovery can clean up what such a half-made object left behind.
     */
    public Loaded<T> loadAll() {
        Map<String, T> records = new LinkedHashMap<>();
        List<String> orphans = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return new Loaded<>(records, orphans);
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path objectDir : entries) {
                if (!Files.isDirectory(objectDir)) {
                    continue;
                }
                String id = objectDir.getFileName().toString();
                removeTempFiles(objectDir);
                Path file = objectDir.resolve(FILE);
                if (!Files.exists(file)) {
                    orphans.add(id);
                    continue;
                }
                try {
                    records.put(id, mapper.readValue(file.toFile(), type));
                } catch (IOException | RuntimeException e) {
                    LOG.warn("event=record_invalid id={} file={} error=\"{}\"", id, file, e.getMessage());
                    Files.deleteIfExists(file);
                    orphans.add(id);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read records in " + dir, e);
        }
        return new Loaded<>(records, orphans);
    }

    private static void removeTempFiles(Path objectDir) throws IOException {
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(objectDir, "." + FILE + ".tmp-*")) {
            for (Path temp : temps) {
                Files.deleteIfExists(temp);
                LOG.info("event=record_temp_removed file={}", temp);
            }
        } catch (NoSuchFileException e) {
            // the directory went away meanwhile: nothing to clean
        }
    }
}
