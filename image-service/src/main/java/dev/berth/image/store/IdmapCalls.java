package dev.berth.image.store;

import dev.berth.common.sys.DescriptorCalls;
import dev.berth.common.sys.MountCalls;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * The new mount API calls that make an idmapped view of a directory: {@code open_tree}, {@code mount_setattr} and
 * {@code move_mount} (glibc 2.36 has wrappers); mount_setattr, umount2, open and close are common's bindings. Bound
 * lazily so that tests without root never load them.
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

    /** The libc entry points no other module binds. */
    public interface LibC {
        int open_tree(int dirfd, String path, int flags);

        int move_mount(int fromDirfd, String fromPath, int toDirfd, String toPath, int flags);
    }

    private static final class Native {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
        static final MountCalls MOUNTS = MountCalls.load();
        static final DescriptorCalls DESCRIPTORS = DescriptorCalls.load();
    }

    private IdmapCalls() {
    }

    static LibC libc() {
        return Native.LIBC;
    }

    static MountCalls mounts() {
        return Native.MOUNTS;
    }

    static DescriptorCalls descriptors() {
        return Native.DESCRIPTORS;
    }

    static int errno() {
        return Native.RUNTIME.getLastError();
    }
}
