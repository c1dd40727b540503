package dev.berth.cni.net;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/** The libc calls of {@link BridgePorts}: a socket to carry the classic netdevice ioctls (netdevice(7)). */
public interface NetDeviceCalls {

    int socket(int domain, int type, int protocol);

    /** {@code request} is one of the SIOC* numbers; {@code ifreq} is a 40-byte struct ifreq. */
    int ioctl(int fd, long request, @In @Out byte[] ifreq);

    int close(int fd);

    static NetDeviceCalls load() {
        return LibraryLoader.create(NetDeviceCalls.class).failImmediately().load("c");
    }
}
