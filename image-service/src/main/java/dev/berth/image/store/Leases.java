package dev.berth.image.store;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Content that pulls in progress rely on (layers, manifests, configs) and garbage collection must keep even though
 * no image record names it yet. Counted, since concurrent pulls can hold the same content.
 */
public final class Leases {

    private final Map<String, Integer> layers = new HashMap<>();
    private final Map<String, Integer> blobs = new HashMap<>();

    /**
     * Runs garbage collection's mark-and-hide step so that no lease is taken meanwhile: content leased before it
     * runs is kept, content leased after it is seen as missing by the pull, which fetches it again.
     */
    public synchronized <T> T exclusive(java.util.function.Supplier<T> step) {
        return step.get();
    }

    public Lease open() {
        return new Lease();
    }

    public synchronized Set<String> layers() {
        return Set.copyOf(layers.keySet());
    }

    public synchronized Set<String> blobs() {
        return Set.copyOf(blobs.keySet());
    }

    private synchronized void add(Map<String, Integer> counts, String key) {
        counts.merge(key, 1, Integer::sum);
    }

    private synchronized void release(Map<String, Integer> counts, String key) {
        counts.computeIfPresent(key, (k, n) -> n == 1 ? null : n - 1);
    }

    /** One pull's hold on content; close it once the image record is written (or the pull failed). */
    public final class Lease implements AutoCloseable {
        private final Set<String> heldLayers = new HashSet<>();
        private final Set<String> heldBlobs = new HashSet<>();
        private boolean closed;

        public synchronized void addLayer(String layerId) {
            if (!closed && heldLayers.add(layerId)) {
                add(layers, layerId);
            }
        }

        public synchronized void addBlob(String digest) {
            if (!closed && heldBlobs.add(digest)) {
                add(blobs, digest);
            }
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            heldLayers.forEach(l -> release(layers, l));
            heldBlobs.forEach(b -> release(blobs, b));
        }
    }
}
