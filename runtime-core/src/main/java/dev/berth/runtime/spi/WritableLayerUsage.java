package dev.berth.runtime.spi;

import java.nio.file.Path;

/**
 * What a container's writable layer holds.
 *
 * @param mountpoint the filesystem the layer lives on (CRI FilesystemIdentifier.mountpoint)
 */
public record WritableLayerUsage(Path mountpoint, long usedBytes, long inodesUsed) {

    public static WritableLayerUsage none(Path mountpoint) {
        return new WritableLayerUsage(mountpoint, 0, 0);
    }
}
