package dev.berth.image;

import java.nio.file.Path;

/**
 * Usage of the filesystem that holds image layers, for CRI {@code ImageFsInfo}. Counted from what berth recorded
 * when it unpacked layers and stored blobs, not by walking the tree on each call.
 *
 * @param timestampNanos when this was taken, nanoseconds since the Unix epoch
 * @param mountpoint     the directory holding the layers ({@code <root>/overlay2}); cAdvisor resolves its device
 * @param usedBytes      disk bytes used by unpacked layers plus stored manifests and configs
 * @param inodesUsed     inodes used by them
 */
public record FsUsage(long timestampNanos, Path mountpoint, long usedBytes, long inodesUsed) {
}
