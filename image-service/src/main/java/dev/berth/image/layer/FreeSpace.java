package dev.berth.image.layer;

import dev.berth.common.error.BerthException;

import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * Keeps a reserve of free space on the storage file system: pulls must not take a node's last bytes (its logs,
 * the containers' writes and the kubelet's image GC need them).
 */
public final class FreeSpace {

    private final Path dir;
    private final LongSupplier usableBytes;
    private final long reserve;

    /**
     * @param dir         a directory on the storage file system, named in errors
     * @param usableBytes what unprivileged writes may still use there (statvfs {@code f_bavail})
     * @param reserve     bytes to keep free
     */
    public FreeSpace(Path dir, LongSupplier usableBytes, long reserve) {
        this.dir = dir;
        this.usableBytes = usableBytes;
        this.reserve = reserve;
    }

    /** Measured with statvfs on {@code dir} ({@link java.io.File#getUsableSpace}: one system call, no mount scan). */
    public static FreeSpace of(Path dir, long reserve) {
        return new FreeSpace(dir, () -> dir.toFile().getUsableSpace(), reserve);
    }

    /** Fails with RESOURCE_EXHAUSTED, naming {@code what}, when less than the reserve is free. */
    public void check(String what) {
        if (reserve == 0) {
            return;
        }
        long free = usableBytes.getAsLong();
        if (free < reserve) {
            throw new BerthException(BerthException.Kind.RESOURCE_EXHAUSTED, what + " stopped: " + free
                    + " bytes free on " + dir + ", below the " + reserve
                    + " bytes kept free ([images] min_free_bytes)");
        }
    }
}
