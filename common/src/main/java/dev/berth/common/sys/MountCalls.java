package dev.berth.common.sys;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;

/**
 * mount(2), umount2(2) and mount_setattr(2), bound once for every module; errno is read from jnr's runtime after a
 * failed call.
 */
public interface MountCalls {

    int mount(String source, String target, String filesystemType, long flags, String data);

    int umount2(String target, int flags);

    /**
     * glibc 2.36+ (Linux 5.12+); bound lazily, so a libc without it fails only when it is called. {@code attr} is a
     * struct mount_attr: attr_set, attr_clr, propagation, userns_fd.
     */
    int mount_setattr(int dirfd, String path, int flags, @In long[] attr, long size);

    /** The one binding in the JVM, made on first use: every module shares it rather than generating its own. */
    static MountCalls load() {
        return Binding.CALLS;
    }

    /** Holds the binding so that it is made only when first asked for. */
    final class Binding {
        private static final MountCalls CALLS = LibraryLoader.create(MountCalls.class).load("c");

        private Binding() {
        }
    }
}
