package dev.berth.runtime.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.error.BerthException;
import dev.berth.common.fs.JsonRecordDir;
import dev.berth.common.fs.MountTable;
import dev.berth.common.fs.Trees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    private final JsonRecordDir<T> records;

    public RecordStore(Path dir, Class<T> type, ObjectMapper mapper) {
        this.records = JsonRecordDir.perId(dir, FILE, type, mapper);
    }

    /** What {@link #loadAll} found. */
    public record Loaded<T>(Map<String, T> records, List<String> orphans) {
    }

    /** The directory berth keeps for one object (created on first save). */
    public Path directoryOf(String id) {
        return records.directoryOf(id);
    }

    public void save(String id, T record) {
        try {
            records.write(id, record);
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof JsonProcessingException) {
                throw BerthException.internal("cannot serialize record " + id, e.getCause());
            }
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
            records.delete(id);
        } catch (UncheckedIOException e) {
            throw BerthException.internal("cannot delete record " + id + ": " + e.getCause().getMessage(), e);
        }
        // Usually nothing else is kept: removing the empty directory cannot reach into a mount, so the mount table
        // is read only for a directory that still holds something.
        try {
            Files.deleteIfExists(objectDir);
            return true;
        } catch (IOException e) {
            // Not empty, or a mount point itself: the slow way below.
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
        Map<String, T> loaded = new LinkedHashMap<>();
        List<String> orphans = new ArrayList<>();
        if (!Files.isDirectory(records.dir())) {
            return new Loaded<>(loaded, orphans);
        }
        records.removeTempFiles().forEach(temp -> LOG.info("event=record_temp_removed file={}", temp));
        for (String id : records.ids()) {
            try {
                Optional<T> record = records.read(id);
                if (record.isPresent()) {
                    loaded.put(id, record.get());
                } else {
                    orphans.add(id);
                }
            } catch (RuntimeException e) {
                String error = e instanceof UncheckedIOException u ? u.getCause().getMessage() : e.getMessage();
                LOG.warn("event=record_invalid id={} file={} error=\"{}\"", id, records.file(id), error);
                records.delete(id);
                orphans.add(id);
            }
        }
        return new Loaded<>(loaded, orphans);
    }
}
