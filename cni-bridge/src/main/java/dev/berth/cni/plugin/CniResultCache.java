package dev.berth.cni.plugin;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.fs.JsonRecordDir;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Cached CNI attachments, one JSON file per sandbox under {@code <state>/cni-cache}, written atomically. */
final class CniResultCache {

    private static final Logger LOG = LoggerFactory.getLogger(CniResultCache.class);

    private final JsonRecordDir<CniCacheEntry> files;

    CniResultCache(Path dir, ObjectMapper json) {
        this.files = JsonRecordDir.flat(dir, CniCacheEntry.class, json);
        files.removeTempFiles();
    }

    void save(CniCacheEntry entry) {
        files.write(entry.sandboxId(), entry);
    }

    /** The entry; empty when there is none or it cannot be read (nothing to DEL with then). */
    Optional<CniCacheEntry> find(String sandboxId) {
        try {
            return files.read(sandboxId);
        } catch (RuntimeException e) {
            LOG.warn("cni cache entry unreadable sandbox={} error={}", sandboxId, e.getMessage());
            return Optional.empty();
        }
    }

    void delete(String sandboxId) {
        files.delete(sandboxId);
    }

    /** The sandbox IDs with an entry, readable or not (an unreadable one is still garbage to remove). */
    List<String> sandboxIds() {
        return files.ids();
    }
}
