package dev.berth.runtime.host.files;

import dev.berth.common.error.BerthException;
import dev.berth.runtime.host.sys.SyscallException;
import dev.berth.runtime.host.sys.Syscalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A sandbox's own {@code /dev/shm}: a tmpfs at {@code <sandboxDir>/shm}, shared by its containers (IPC ns). */
public final class SandboxShm {

    public static final long DEFAULT_SIZE_BYTES = 64L * 1024 * 1024;

    private final long sizeBytes;

    public SandboxShm() {
        this(DEFAULT_SIZE_BYTES);
    }

    public SandboxShm(long sizeBytes) {
        if (sizeBytes <= 0) {
            throw new IllegalArgumentException("shm size must be positive");
        }
        this.sizeBytes = sizeBytes;
    }

    public static Path pathIn(Path sandboxDir) {
        return sandboxDir.resolve("shm");
    }

    /** Mounts the tmpfs unless it is already mounted; returns its path. */
    public Path mount(Path sandboxDir) {
        Path shm = pathIn(sandboxDir).toAbsolutePath().normalize();
        try {
            Files.createDirectories(shm);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + shm, e);
        }
        if (isTmpfsMounted(shm)) {
            return shm;
        }
        try {
            Syscalls.mount("shm", shm.toString(), "tmpfs", Syscalls.MS_NOSUID | Syscalls.MS_NODEV
                    | Syscalls.MS_NOEXEC, "mode=1777,size=" + sizeBytes);
        } catch (SyscallException e) {
            throw BerthException.internal("cannot mount sandbox shm at " + shm + ": " + e.getMessage(), e);
        }
        return shm;
    }

    /** A tmpfs is its own device: comparing with the parent's costs two stats, not a mountinfo parse. */
    private static boolean isTmpfsMounted(Path shm) {
        try {
            return !Files.getAttribute(shm, "unix:dev").equals(Files.getAttribute(shm.getParent(), "unix:dev"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat " + shm, e);
        }
    }

    /** Unmounts the tmpfs (idempotent) and removes its empty mount point. */
    public void unmount(Path sandboxDir) {
        Path shm = pathIn(sandboxDir).toAbsolutePath().normalize();
        try {
            for (int i = 0; i < 4 && Syscalls.umount(shm.toString()); i++) {
                // loop: a retried mount may have stacked a second tmpfs
            }
            Files.deleteIfExists(shm);
        } catch (SyscallException e) {
            throw BerthException.internal("cannot unmount sandbox shm at " + shm + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + shm, e);
        }
    }
}
