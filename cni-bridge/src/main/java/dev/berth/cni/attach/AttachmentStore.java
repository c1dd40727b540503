package dev.berth.cni.attach;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.fs.JsonRecordDir;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Attachment records, one JSON file per sandbox under {@code <state>/attachments}, served from memory. */
public final class AttachmentStore {

    private static final Logger LOG = LoggerFactory.getLogger(AttachmentStore.class);

    private final JsonRecordDir<AttachmentRecord> files;
    private final Map<String, AttachmentRecord> records = new ConcurrentHashMap<>();

    public AttachmentStore(Path dir, ObjectMapper json) {
        this.files = JsonRecordDir.flat(dir, AttachmentRecord.class, json);
        files.removeTempFiles();
        for (String name : files.ids()) {
            try {
                files.read(name).ifPresent(record -> records.put(record.sandboxId(), record));
            } catch (RuntimeException e) {
                // Nothing to undo from; the sandbox's addresses are still found by owner and collected.
                LOG.warn("attachment record unreadable sandbox={} error={}", name, e.getMessage());
            }
        }
    }

    public Optional<AttachmentRecord> find(String sandboxId) {
        return Optional.ofNullable(records.get(sandboxId));
    }

    public Collection<AttachmentRecord> all() {
        return List.copyOf(records.values());
    }

    /** Writes the record atomically (crash-safe) before it is served. */
    public void save(AttachmentRecord record) {
        files.write(record.sandboxId(), record);
        records.put(record.sandboxId(), record);
    }

    public void delete(String sandboxId) {
        files.delete(sandboxId);
        records.remove(sandboxId);
    }
}
