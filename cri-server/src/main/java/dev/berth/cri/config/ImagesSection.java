package dev.berth.cri.config;

import dev.berth.image.LayerLimits;
import java.util.List;

/**
 * Pull behaviour, images that garbage collection must keep, and what unpacking one layer may cost the node: its
 * uncompressed size ({@code max_layer_unpacked_bytes}) and the free space it must leave ({@code min_free_bytes}).
 */
public record ImagesSection(Integer pullParallelism, Integer progressTimeoutSeconds, List<String> pinned,
                            Long maxLayerUnpackedBytes, Long minFreeBytes) {

    public ImagesSection {
        pullParallelism = pullParallelism == null ? 3 : pullParallelism;
        progressTimeoutSeconds = progressTimeoutSeconds == null ? 60 : progressTimeoutSeconds;
        pinned = pinned == null ? List.of() : List.copyOf(pinned);
        maxLayerUnpackedBytes = maxLayerUnpackedBytes == null ? LayerLimits.DEFAULT_MAX_UNPACKED_BYTES
                : maxLayerUnpackedBytes;
        minFreeBytes = minFreeBytes == null ? LayerLimits.DEFAULT_MIN_FREE_BYTES : minFreeBytes;
    }

    static ImagesSection defaults() {
        return new ImagesSection(null, null, null, null, null);
    }

    static ImagesSection read(ConfigTable table) {
        if (table == null) {
            return defaults();
        }
        ImagesSection section = new ImagesSection(table.integer("pull_parallelism"),
                table.integer("progress_timeout_seconds"), table.strings("pinned"),
                table.longInteger("max_layer_unpacked_bytes"), table.longInteger("min_free_bytes"));
        table.rejectUnknownKeys();
        return section;
    }
}
