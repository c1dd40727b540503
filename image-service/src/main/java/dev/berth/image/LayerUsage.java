package dev.berth.image;

import java.nio.file.Path;

/**
 * Usage of one container's writable layer (its overlay upper dir), for CRI container stats.
 *
 * @param timestampNanos nanoseconds since the Unix epoch
 * @param mountpoint     the upper dir measured
 * @param usedBytes      disk bytes (allocated blocks) used by the files written by the container
 * @param inodesUsed     inodes used by them (hard links counted once)
 */
public record LayerUsage(long timestampNanos, Path mountpoint, long usedBytes, long inodesUsed) {
}
