package dev.berth.image.store;

import dev.berth.common.sys.MountCalls;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;

/**
 * The new mount API calls that make an idmapped view of a directory: {@code open_tree}, {@code mount_setattr} and
 * {@code move_mount} (glibc 2.36 has wrappers). Bound lazily so that tests without root never load them.
 */
final class IdmapCalls {

    static final int AT_FDCWD = -100;
    static final int AT_EMPTY_PATH = 0x1000;
    static final int AT_RECURSIVE = 0x8000;
    static final int OPEN_TREE_CLONE = 1;
    static final int OPEN_TREE_CLOEXEC = 0x80000;
    static final int MOVE_MOUNT_F_EMPTY_PATH = 0x4;
    static final long MOUNT_ATTR_IDMAP = 0x100000;
    static final int O_RDONLY_CLOEXEC = 0x80000;
    static final int MNT_DETACH = 2;

    /** The libc entry points; {@code attr} is a struct mount_attr: attr_set, attr_clr, propagation, userns_fd. */
    public interface LibC {
        int open_tree(int dirfd, String path, int flags);

        int mount_setattr(int dirfd, String path, int flags, @In long[] attr, long size);

        int move_mount(int fromDirfd, String fromPath, int toDirfd, String toPath, int flags);

        int open(String path, int flags, int mode);

        int close(int fd);
    }

    private static final class Native {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
        static final MountCalls MOUNTS = MountCalls.load();
    }

    private IdmapCalls() {
    }

    static LibC libc() {
        return Native.LIBC;
    }

    static MountCalls mounts() {
        return Native.MOUNTS;
    }

    static int errno() {
        return Native.RUNTIME.getLastError();
    }
}
