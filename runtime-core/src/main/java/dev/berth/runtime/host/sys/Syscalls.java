package dev.berth.runtime.host.sys;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * Thin checked wrappers over {@link LibC}: each call throws {@link SyscallException} carrying errno. Stateless apart
 * from the loaded library handle, which is immutable.
 */
public final class Syscalls {

    public static final long MS_NOSUID = 2;
    public static final long MS_NODEV = 4;
    public static final long MS_NOEXEC = 8;
    public static final long MS_BIND = 4096;
    public static final long MS_REC = 16384;
    public static final long MS_PRIVATE = 1 << 18;
    public static final int MNT_DETACH = 2;

    public static final int O_WRONLY = 1;
    public static final int O_NONBLOCK = 04000;
    public static final int O_CLOEXEC = 02000000;

    public static final int ENOENT = 2;
    public static final int EAGAIN = 11;
    public static final int EBUSY = 16;
    public static final int EINVAL = 22;
    public static final int ENXIO = 6;

    private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    private static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

    private Syscalls() {
    }

    public static void mount(String source, String target, String type, long flags, String data) {
        if (LIBC.mount(source, target, type, flags, data) != 0) {
            throw new SyscallException("mount " + target, RUNTIME.getLastError());
        }
    }

    /** Detaches a mount; returns false when {@code target} is not a mount point (or is gone). */
    public static boolean umount(String target) {
        if (LIBC.umount2(target, MNT_DETACH) == 0) {
            return true;
        }
        int errno = RUNTIME.getLastError();
        if (errno == EINVAL || errno == ENOENT) {
            return false;
        }
        throw new SyscallException("umount " + target, errno);
    }

    /** Creates a named pipe (mode 0600). */
    public static void mkfifo(String path) {
        if (LIBC.mkfifo(path, 0600) != 0) {
            throw new SyscallException("mkfifo " + path, RUNTIME.getLastError());
        }
    }

    /** Writes one message to a FIFO without blocking; ENXIO means nobody reads it (its monitor is gone). */
    public static void writeFifo(String path, byte[] message) {
        int fd = LIBC.open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC, 0);
        if (fd < 0) {
            throw new SyscallException("open " + path, RUNTIME.getLastError());
        }
        try {
            long written = LIBC.write(fd, message, message.length);
            if (written != message.length) {
                throw new SyscallException("write " + path, written < 0 ? RUNTIME.getLastError() : EAGAIN);
            }
        } finally {
            LIBC.close(fd);
        }
    }
}
