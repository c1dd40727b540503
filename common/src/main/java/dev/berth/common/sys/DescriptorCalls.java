package dev.berth.common.sys;

import jnr.ffi.LibraryLoader;

/**
 * open(2), socket(2) and close(2): the calls that make and release file descriptors, bound once for every module;
 * errno is read from jnr's runtime after a failed call.
 */
public interface DescriptorCalls {

    int open(String path, int flags, int mode);

    int socket(int domain, int type, int protocol);

    int close(int fd);

    static DescriptorCalls load() {
        return LibraryLoader.create(DescriptorCalls.class).load("c");
    }
}
