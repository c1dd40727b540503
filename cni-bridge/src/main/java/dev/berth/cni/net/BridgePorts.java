package dev.berth.cni.net;

import dev.berth.common.error.BerthException;
import dev.berth.common.sys.DescriptorCalls;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.LastError;
import jnr.ffi.Runtime;

/**
 * Makes a link of the JVM's own namespace a bridge port and brings it up, with the netdevice ioctls and sysfs rather
 * than a spawned {@code ip}: on a pod's critical path that is ~0.1 ms instead of ~2 ms. No namespace is entered.
 */
public final class BridgePorts {

    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final long SIOCGIFFLAGS = 0x8913;
    private static final long SIOCSIFFLAGS = 0x8914;
    private static final long SIOCBRADDIF = 0x89a2;
    private static final int IFF_UP = 0x1;
    private static final int IFREQ_SIZE = 40;
    private static final int IFNAMSIZ = 16;

    private final DescriptorCalls descriptors;
    private final NetDeviceCalls calls;
    private final Path sysClassNet;

    public BridgePorts() {
        this(Libc.DESCRIPTORS, Libc.CALLS, Path.of("/sys/class/net"));
    }

    BridgePorts(DescriptorCalls descriptors, NetDeviceCalls calls, Path sysClassNet) {
        this.descriptors = descriptors;
        this.calls = calls;
        this.sysClassNet = sysClassNet;
    }

    /** Makes {@code link} a port of {@code bridge}, labelled {@code alias}, in hairpin mode if asked, and up. */
    public void attach(String link, String bridge, String alias, boolean hairpin) {
        int index = ifindex(link);
        int fd = descriptors.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw failure("socket", link);
        }
        try {
            byte[] request = ifreq(bridge);
            ByteBuffer.wrap(request).order(ByteOrder.nativeOrder()).putInt(IFNAMSIZ, index);
            if (calls.ioctl(fd, SIOCBRADDIF, request) < 0) {
                throw failure("adding to bridge " + bridge, link);
            }
            writeSysfs(link, "ifalias", alias + "\n");
            if (hairpin) {
                writeSysfs(link, "brport/hairpin_mode", "1\n");
            }
            byte[] flags = ifreq(link);
            if (calls.ioctl(fd, SIOCGIFFLAGS, flags) < 0) {
                throw failure("reading flags", link);
            }
            ByteBuffer view = ByteBuffer.wrap(flags).order(ByteOrder.nativeOrder());
            view.putShort(IFNAMSIZ, (short) (view.getShort(IFNAMSIZ) | IFF_UP));
            if (calls.ioctl(fd, SIOCSIFFLAGS, flags) < 0) {
                throw failure("setting up", link);
            }
        } finally {
            descriptors.close(fd);
        }
    }

    private int ifindex(String link) {
        try {
            return Integer.parseInt(Files.readString(sysClassNet.resolve(link).resolve("ifindex")).strip());
        } catch (IOException | NumberFormatException e) {
            throw BerthException.internal("link " + link + " not found in this namespace: " + e.getMessage(), e);
        }
    }

    private void writeSysfs(String link, String attribute, String value) {
        Path file = sysClassNet.resolve(link).resolve(attribute);
        try {
            Files.writeString(file, value, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw BerthException.internal("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] ifreq(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("interface name too long: " + name);
        }
        byte[] request = new byte[IFREQ_SIZE];
        System.arraycopy(bytes, 0, request, 0, bytes.length);
        return request;
    }

    /** Bound on first use, once per JVM (each binding generates a class). */
    private static final class Libc {
        static final DescriptorCalls DESCRIPTORS = DescriptorCalls.load();
        static final NetDeviceCalls CALLS = NetDeviceCalls.load();
    }

    private static BerthException failure(String what, String link) {
        int errno = LastError.getLastError(Runtime.getSystemRuntime());
        return BerthException.internal(what + " " + link + " failed: errno " + errno, null);
    }
}
