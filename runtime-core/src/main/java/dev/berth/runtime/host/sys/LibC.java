package dev.berth.runtime.host.sys;

import jnr.ffi.annotations.In;

/** The few libc calls berth makes itself (no namespace calls: those stay in helpers, the JVM is multithreaded). */
public interface LibC {

    int mount(String source, String target, String filesystemType, long flags, String data);

    int umount2(String target, int flags);

    int open(String path, int flags, int mode);

    long write(int fd, @In byte[] buffer, long count);

    int close(int fd);

    int mkfifo(String path, int mode);
}
