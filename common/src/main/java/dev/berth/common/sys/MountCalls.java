package dev.berth.common.sys;

import jnr.ffi.LibraryLoader;

/** mount(2) and umount2(2), bound once for every module; errno is read from jnr's runtime after a failed call. */
public interface MountCalls {

    int mount(String source, String target, String filesystemType, long flags, String data);

    int umount2(String target, int flags);

    static MountCalls load() {
        return LibraryLoader.create(MountCalls.class).load("c");
    }
}
