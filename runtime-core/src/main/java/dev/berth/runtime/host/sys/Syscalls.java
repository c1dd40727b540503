package dev.berth.runtime.host.sys;

import dev.berth.common.sys.DescriptorCalls;
import dev.berth.common.sys.MountCalls;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * Thin checked wrappers over {@link LibC}, {@link MountCalls} and {@link DescriptorCalls}: each call throws {@link SyscallException} carrying errno. Stateless apart
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
    private static final int AT_FDCWD = -100;
    private static final int AT_RECURSIVE = 0x8000;
    private static final long MOUNT_ATTR_RDONLY = 1;

    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_CREAT = 0100;
    public static final int O_APPEND = 02000;
    public static final int O_NONBLOCK = 04000;
    public static final int O_CLOEXEC = 02000000;
    private static final int SOCK_CLOEXEC = 02000000;

    public static final int ENOENT = 2;
    public static final int EAGAIN = 11;
    public static final int EBUSY = 16;
    public static final int EINVAL = 22;
    public static final int ENXIO = 6;
    public static final int EINTR = 4;
    public static final int ECHILD = 10;
    public static final int ESRCH = 3;
    public static final int ENOSYS = 38;

    public static final int SIGKILL = 9;
    private static final int WNOHANG = 1;
    private static final short POLLIN = 1;

    private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    private static final MountCalls MOUNTS = MountCalls.load();
    private static final DescriptorCalls DESCRIPTORS = DescriptorCalls.load();
    private static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

    private Syscalls() {
    }

    /**
     * Binds libc now (the class's initialisation does it; ~100 ms at start-up), so the daemon can have it done on
     * another thread while it starts.
     */
    public static void bind() {
        // Initialising the class is the whole job.
    }

    public static void mount(String source, String target, String type, long flags, String data) {
        if (MOUNTS.mount(source, target, type, flags, data) != 0) {
            throw new SyscallException("mount " + target, RUNTIME.getLastError());
        }
    }

    /** Makes the mount at {@code target} and every mount below it read-only (each mount's own flag). */
    public static void makeReadOnlyRecursively(String target) {
        long[] attr = {MOUNT_ATTR_RDONLY, 0, 0, 0};
        int result;
        try {
            result = MOUNTS.mount_setattr(AT_FDCWD, target, AT_RECURSIVE, attr, attr.length * Long.BYTES);
        } catch (UnsatisfiedLinkError e) {
            throw new SyscallException("mount_setattr " + target + " (not in this libc)", ENOSYS);
        }
        if (result != 0) {
            throw new SyscallException("mount_setattr " + target, RUNTIME.getLastError());
        }
    }

    /** Detaches a mount; returns false when {@code target} is not a mount point (or is gone). */
    public static boolean umount(String target) {
        if (MOUNTS.umount2(target, MNT_DETACH) == 0) {
            return true;
        }
        int errno = RUNTIME.getLastError();
        if (errno == EINVAL || errno == ENOENT) {
            return false;
        }
        throw new SyscallException("umount " + target, errno);
    }

    /** Writes one message to a FIFO without blocking; ENXIO means nobody reads it (its monitor is gone). */
    public static void writeFifo(String path, byte[] message) {
        int fd = DESCRIPTORS.open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC, 0);
        if (fd < 0) {
            throw new SyscallException("open " + path, RUNTIME.getLastError());
        }
        try {
            long written = LIBC.write(fd, message, message.length);
            if (written != message.length) {
                throw new SyscallException("write " + path, written < 0 ? RUNTIME.getLastError() : EAGAIN);
            }
        } finally {
            DESCRIPTORS.close(fd);
        }
    }

    static LibC libc() {
        return LIBC;
    }

    static DescriptorCalls descriptors() {
        return DESCRIPTORS;
    }

    static Runtime runtime() {
        return RUNTIME;
    }

    /** A pipe whose both ends are close-on-exec: {@code [read end, write end]}. */
    public static int[] pipe() {
        int[] fds = new int[2];
        if (LIBC.pipe2(fds, O_CLOEXEC) != 0) {
            throw new SyscallException("pipe2", RUNTIME.getLastError());
        }
        return fds;
    }

    /**
     * Reads what is available from {@code fd}, waiting at most {@code timeoutMillis} (negative: no limit) for data.
     * Returns the byte count, 0 at end of file, or -1 when the wait timed out.
     */
    public static int read(int fd, byte[] buffer, long timeoutMillis) {
        int[] pollfd = {fd, POLLIN};
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            int wait;
            if (timeoutMillis < 0) {
                wait = -1;
            } else {
                long left = (deadline - System.nanoTime() + 999_999) / 1_000_000;
                if (left <= 0) {
                    return -1;
                }
                wait = (int) Math.min(Integer.MAX_VALUE, left);
            }
            pollfd[1] = POLLIN;
            int ready = LIBC.poll(pollfd, 1, wait);
            if (ready < 0) {
                int errno = RUNTIME.getLastError();
                if (errno == EINTR) {
                    continue;
                }
                throw new SyscallException("poll", errno);
            }
            if (ready == 0) {
                continue;
            }
            long count = LIBC.read(fd, buffer, buffer.length);
            if (count < 0) {
                int errno = RUNTIME.getLastError();
                if (errno == EINTR || errno == EAGAIN) {
                    continue;
                }
                throw new SyscallException("read", errno);
            }
            return (int) count;
        }
    }

    /** Writes all of {@code bytes} to {@code fd}. */
    public static void write(int fd, byte[] bytes) {
        long written = LIBC.write(fd, bytes, bytes.length);
        if (written != bytes.length) {
            throw new SyscallException("write", written < 0 ? RUNTIME.getLastError() : EAGAIN);
        }
    }

    /** Moves the calling thread (only it) into new namespaces of the kinds in {@code cloneFlags}. */
    public static void unshare(int cloneFlags) {
        if (LIBC.unshare(cloneFlags) != 0) {
            throw new SyscallException("unshare", RUNTIME.getLastError());
        }
    }

    /** Moves the calling thread (only it) into the namespace pinned at {@code namespaceFile}. */
    public static void setns(Path namespaceFile) {
        int fd = DESCRIPTORS.open(namespaceFile.toString(), O_RDONLY | O_CLOEXEC, 0);
        if (fd < 0) {
            throw new SyscallException("open " + namespaceFile, RUNTIME.getLastError());
        }
        try {
            if (LIBC.setns(fd, 0) != 0) {
                throw new SyscallException("setns " + namespaceFile, RUNTIME.getLastError());
            }
        } finally {
            DESCRIPTORS.close(fd);
        }
    }

    /** An ioctl whose argument is a structure read and written in place. */
    public static void ioctl(int fd, long request, byte[] argument, String what) {
        if (LIBC.ioctl(fd, request, argument) != 0) {
            throw new SyscallException(what, RUNTIME.getLastError());
        }
    }

    /** A socket of this thread's network namespace. */
    public static int socket(int domain, int type) {
        int fd = DESCRIPTORS.socket(domain, type | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new SyscallException("socket", RUNTIME.getLastError());
        }
        return fd;
    }

    /** Closes a file descriptor; -1 is ignored. */
    public static void close(int fd) {
        if (fd >= 0) {
            DESCRIPTORS.close(fd);
        }
    }

    /** Sends a signal; false when the process is gone (ESRCH). */
    public static boolean kill(int pid, int signal) {
        if (LIBC.kill(pid, signal) == 0) {
            return true;
        }
        int errno = RUNTIME.getLastError();
        if (errno == ESRCH) {
            return false;
        }
        throw new SyscallException("kill " + pid, errno);
    }

    /**
     * Reaps a child of this process: its wait status, or -1 if it still runs and {@code block} is false. A PID that
     * is not (or no longer) a child gives -2.
     */
    public static int waitpid(int pid, boolean block) {
        int[] status = new int[1];
        while (true) {
            int result = LIBC.waitpid(pid, status, block ? 0 : WNOHANG);
            if (result == pid) {
                return status[0];
            }
            if (result == 0) {
                return -1;
            }
            int errno = RUNTIME.getLastError();
            if (errno == EINTR) {
                continue;
            }
            if (errno == ECHILD) {
                return -2;
            }
            throw new SyscallException("waitpid " + pid, errno);
        }
    }

    /** A pidfd for a running process, or -1 if there is no such process (ESRCH). */
    public static int pidfdOpen(int pid) {
        int fd = LIBC.pidfd_open(pid, 0);
        if (fd >= 0) {
            return fd;
        }
        int errno = RUNTIME.getLastError();
        if (errno == ESRCH) {
            return -1;
        }
        throw new SyscallException("pidfd_open " + pid, errno);
    }

    /** Waits up to {@code timeoutMillis} for {@code fd} to become readable (a pidfd: its process exited). */
    public static boolean awaitReadable(int fd, long timeoutMillis) {
        int[] pollfd = {fd, POLLIN};
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            long left = (deadline - System.nanoTime() + 999_999) / 1_000_000;
            pollfd[1] = POLLIN;
            int ready = LIBC.poll(pollfd, 1, (int) Math.max(0, Math.min(Integer.MAX_VALUE, left)));
            if (ready > 0) {
                return true;
            }
            if (ready == 0) {
                if (left <= 0) {
                    return false;
                }
                continue;
            }
            int errno = RUNTIME.getLastError();
            if (errno != EINTR) {
                throw new SyscallException("poll", errno);
            }
        }
    }
}
