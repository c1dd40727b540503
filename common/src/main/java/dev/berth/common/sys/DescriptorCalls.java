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

    /** The one binding in the JVM, made on first use: every module shares it rather than generating its own. */
    static DescriptorCalls load() {
        return Binding.CALLS;
    }

    /** Holds the binding so that it is made only when first asked for. */
    final class Binding {
        private static final DescriptorCalls CALLS = LibraryLoader.create(DescriptorCalls.class).load("c");

        private Binding() {
        }
    }
}
