package dev.berth.image;

/**
 * Bounds on what unpacking one layer may cost the node, so a hostile or broken image cannot fill the disk.
 *
 * @param maxUnpackedBytes the most bytes a layer's uncompressed tar stream may hold; a decompression bomb stops
 *                         here instead of running until the disk or the deadline gives out. A layer blob declared
 *                         bigger than this is refused before it is downloaded.
 * @param minFreeBytes     free space the storage file system keeps: a layer does not start below it, and stops
 *                         when its writes bring the free space under it
 */
public record LayerLimits(long maxUnpackedBytes, long minFreeBytes) {

    /** Above the biggest layers of common public images (CUDA and ML stacks); raise it for bigger baked-in data. */
    public static final long DEFAULT_MAX_UNPACKED_BYTES = 64L << 30;
    /** Room for the node's logs, container writes and the kubelet's own image GC to act. */
    public static final long DEFAULT_MIN_FREE_BYTES = 1L << 30;

    public LayerLimits {
        if (maxUnpackedBytes < 1) {
            throw new IllegalArgumentException("maxUnpackedBytes must be positive");
        }
        if (minFreeBytes < 0) {
            throw new IllegalArgumentException("minFreeBytes must not be negative");
        }
    }

    public static LayerLimits defaults() {
        return new LayerLimits(DEFAULT_MAX_UNPACKED_BYTES, DEFAULT_MIN_FREE_BYTES);
    }
}
