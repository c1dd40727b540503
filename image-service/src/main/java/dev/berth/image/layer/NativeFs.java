package dev.berth.image.layer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * The file system calls Java has no API for, made directly through libc (jnr): device nodes and fifos, owners
 * and modes of links and setuid files, nanosecond times without following links, and {@code trusted.*} xattrs.
 * A direct call costs ~20 µs here against ~5.8 ms for spawning {@code mknod}, which matters for layers with many
 * whiteouts. One instance is shared; every method is thread-safe.
 *
 * <p>Only the functions berth calls are bound: a general POSIX binding binds hundreds, which cost the daemon's
 * start-up more than all of berth's own. {@code lstat} goes through {@code statx}, whose buffer has one layout on
 * every architecture (struct stat differs between them).
 */
public final class NativeFs {

    public static final int S_IFMT = 0170000;
    public static final int S_IFIFO = 0010000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFBLK = 0060000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFLNK = 0120000;

    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 02000000;
    private static final int ENOENT = 2;
    private static final int ENOTDIR = 20;
    private static final int ENODATA = 61;
    /** Type, mode, link count, owner, group, times, inode, size and blocks. */
    private static final int STATX_BASIC_STATS = 0x7ff;
    private static final int STATX_SIZE = 256;

    /** The libc functions berth's file system code calls. */
    public interface LibC {
        int mknod(String path, int mode, long dev);

        int lsetxattr(String path, String name, byte[] value, long size, int flags);

        long lgetxattr(String path, String name, byte[] value, long size);

        int syncfs(int fd);

        int lchown(String path, int uid, int gid);

        int chmod(String path, int mode);

        /** {@code times} is two timespecs: {seconds, nanoseconds} for access, then for modification. */
        int utimensat(int dirfd, String path, long[] times, int flags);

        int statx(int dirfd, String path, int flags, int mask, byte[] statx);

        int open(String path, int flags, int mode);

        int close(int fd);

        String strerror(int errno);
    }

    /** What {@code lstat} says about a path. */
    public record Stat(int mode, long ino, long dev, long blocks, long size, int nlink, long uid, long gid,
                       int rdevMajor, int rdevMinor, long mtimeSeconds) {

        public int type() {
            return mode & S_IFMT;
        }

        public boolean isDirectory() {
            return type() == S_IFDIR;
        }

        public boolean isSymlink() {
            return type() == S_IFLNK;
        }
    }

    private final LibC libc;
    private final Runtime runtime;

    private NativeFs(LibC libc) {
        this.libc = libc;
        this.runtime = Runtime.getRuntime(libc);
    }

    private static NativeFs shared;

    /**
     * The JVM's one instance: binding libc takes a while at start-up, so it is done once, and the daemon may do it
     * early on another thread. A failed binding is not kept: the next caller gets the error again.
     */
    public static synchronized NativeFs load() {
        if (shared == null) {
            shared = new NativeFs(LibraryLoader.create(LibC.class).load("c"));
        }
        return shared;
    }

    /** Creates a device node or fifo; {@code type} is one of S_IFCHR, S_IFBLK, S_IFIFO. */
    public void mknod(Path path, int type, int permissions, int major, int minor) throws IOException {
        check(libc.mknod(path.toString(), type | (permissions & 07777), makedev(major, minor)), "mknod", path);
    }

    public void lchown(Path path, long uid, long gid) throws IOException {
        check(libc.lchown(path.toString(), (int) uid, (int) gid), "lchown", path);
    }

    /** Sets all 12 mode bits including setuid, setgid and sticky; never call on a symlink (it follows). */
    public void chmod(Path path, int mode) throws IOException {
        check(libc.chmod(path.toString(), mode & 07777), "chmod", path);
    }

    /** Sets access and modification times without following a symlink. */
    public void setTimes(Path path, long mtimeSeconds, int mtimeNanos) throws IOException {
        long[] times = {mtimeSeconds, mtimeNanos, mtimeSeconds, mtimeNanos};
        check(libc.utimensat(AT_FDCWD, path.toString(), times, AT_SYMLINK_NOFOLLOW), "utimensat", path);
    }

    public void lsetxattr(Path path, String name, byte[] value) throws IOException {
        check(libc.lsetxattr(path.toString(), name, value, value.length, 0), "lsetxattr " + name, path);
    }

    /** The xattr's value, or empty when the path has none of that name. */
    public Optional<byte[]> lgetxattr(Path path, String name) throws IOException {
        byte[] buffer = new byte[4096];
        long n = libc.lgetxattr(path.toString(), name, buffer, buffer.length);
        if (n < 0) {
            int errno = runtime.getLastError();
            if (errno == ENODATA) {
                return Optional.empty();
            }
            throw error("lgetxattr " + name, path, errno);
        }
        return Optional.of(java.util.Arrays.copyOf(buffer, (int) n));
    }

    /** lstat; throws NoSuchFileException when the path does not exist. */
    public Stat lstat(Path path) throws IOException {
        return lstatIfExists(path).orElseThrow(() -> new NoSuchFileException(path.toString()));
    }

    public Optional<Stat> lstatIfExists(Path path) throws IOException {
        byte[] buffer = new byte[STATX_SIZE];
        if (libc.statx(AT_FDCWD, path.toString(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buffer) != 0) {
            int errno = runtime.getLastError();
            if (errno == ENOENT || errno == ENOTDIR) {
                return Optional.empty();
            }
            throw error("lstat", path, errno);
        }
        return Optional.of(statOf(ByteBuffer.wrap(buffer).order(ByteOrder.nativeOrder())));
    }

    /** Decodes struct statx (its offsets are the kernel's, the same on every architecture). */
    private static Stat statOf(ByteBuffer statx) {
        int nlink = statx.getInt(16);
        long uid = Integer.toUnsignedLong(statx.getInt(20));
        long gid = Integer.toUnsignedLong(statx.getInt(24));
        int mode = Short.toUnsignedInt(statx.getShort(28));
        long ino = statx.getLong(32);
        long size = statx.getLong(40);
        long blocks = statx.getLong(48);
        long mtimeSeconds = statx.getLong(112);
        int rdevMajor = statx.getInt(128);
        int rdevMinor = statx.getInt(132);
        long dev = makedev(statx.getInt(136), statx.getInt(140));
        return new Stat(mode, ino, dev, blocks, size, nlink, uid, gid, rdevMajor, rdevMinor, mtimeSeconds);
    }

    /** Flushes the file system holding {@code dir} to disk, so a rename that publishes it is not ahead of data. */
    public void syncfs(Path dir) throws IOException {
        int fd = libc.open(dir.toString(), O_RDONLY | O_CLOEXEC, 0);
        if (fd < 0) {
            throw error("open", dir, runtime.getLastError());
        }
        try {
            check(libc.syncfs(fd), "syncfs", dir);
        } finally {
            libc.close(fd);
        }
    }

    /** glibc's {@code makedev}. */
    static long makedev(int major, int minor) {
        long maj = Integer.toUnsignedLong(major);
        long min = Integer.toUnsignedLong(minor);
        return ((maj & 0xfffff000L) << 32) | ((maj & 0xfffL) << 8) | ((min & 0xffffff00L) << 12) | (min & 0xffL);
    }

    private void check(int result, String call, Path path) throws IOException {
        if (result != 0) {
            throw error(call, path, runtime.getLastError());
        }
    }

    private IOException error(String call, Path path, int errno) {
        String message = call + " " + path + ": " + libc.strerror(errno);
        return errno == ENOENT ? new NoSuchFileException(path.toString(), null, message) : new IOException(message);
    }
}
