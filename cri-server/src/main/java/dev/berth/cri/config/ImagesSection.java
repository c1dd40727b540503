package dev.berth.cri.config;

import java.util.List;

/** Pull behaviour and images that garbage collection must keep. */
public record ImagesSection(Integer pullParallelism, Integer progressTimeoutSeconds, List<String> pinned) {

    public ImagesSection {
        pullParallelism = pullParallelism == null ? 3 : pullParallelism;
        progressTimeoutSeconds = progressTimeoutSeconds == null ? 60 : progressTimeoutSeconds;
        pinned = pinned == null ? List.of() : List.copyOf(pinned);
    }

    static ImagesSection defaults() {
        return new ImagesSection(null, null, null);
    }
}
