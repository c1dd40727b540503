package dev.berth.cni.net;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * The classic netdevice ioctls of {@link BridgePorts} (netdevice(7)); the socket that carries them comes from common's
 * {@link dev.berth.common.sys.DescriptorCalls}.
 */
public interface NetDeviceCalls {

    /** {@code request} is one of the SIOC* numbers; {@code ifreq} is a 40-byte struct ifreq. */
    int ioctl(int fd, long request, @In @Out byte[] ifreq);

    static NetDeviceCalls load() {
        return LibraryLoader.create(NetDeviceCalls.class).failImmediately().load("c");
    }
}
