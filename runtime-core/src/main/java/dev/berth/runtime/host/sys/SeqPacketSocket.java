package dev.berth.runtime.host.sys;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A connected AF_UNIX SOCK_SEQPACKET client (what conmon's attach socket speaks; the JDK's Unix channels are
 * stream sockets only). Blocking calls: one thread reads, any thread writes, {@link #shutdown} from any thread wakes
 * a blocked reader; {@link #close} only once no call is in flight (the fd number could be reused).
 */
public final class SeqPacketSocket implements AutoCloseable {

    private static final int AF_UNIX = 1;
    private static final int SOCK_SEQPACKET = 5;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SUN_PATH_MAX = 108;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;

    private volatile int fd;

    private SeqPacketSocket(int fd) {
        this.fd = fd;
    }

    /** Connects to {@code path} (at most 107 bytes). [SyscallException with errno, e.g. ENOENT, ECONNREFUSED] */
    public static SeqPacketSocket connect(Path path) {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length >= SUN_PATH_MAX) {
            throw new SyscallException("connect " + path + " (path longer than 107 bytes)", Syscalls.EINVAL);
        }
        // struct sockaddr_un: sa_family_t (2 bytes, host order) + sun_path, NUL-terminated.
        byte[] address = new byte[2 + SUN_PATH_MAX];
        address[0] = (byte) AF_UNIX;
        System.arraycopy(name, 0, address, 2, name.length);
        LibC libc = Syscalls.libc();
        int fd = Syscalls.descriptors().socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new SyscallException("socket", Syscalls.runtime().getLastError());
        }
        while (libc.connect(fd, address, 2 + name.length + 1) != 0) {
            int errno = Syscalls.runtime().getLastError();
            if (errno != Syscalls.EINTR) {
                Syscalls.descriptors().close(fd);
                throw new SyscallException("connect " + path, errno);
            }
        }
        return new SeqPacketSocket(fd);
    }

    /** Receives one packet (truncated to the buffer); 0 at end of stream. */
    public int receive(byte[] buffer) {
        while (true) {
            long count = Syscalls.libc().read(fd, buffer, buffer.length);
            if (count >= 0) {
                return (int) count;
            }
            int errno = Syscalls.runtime().getLastError();
            if (errno != Syscalls.EINTR) {
                throw new SyscallException("recv", errno);
            }
        }
    }

    /** Sends one packet. */
    public void send(byte[] packet, int length) {
        while (true) {
            long count = Syscalls.libc().write(fd, packet, length);
            if (count == length) {
                return;
            }
            int errno = count < 0 ? Syscalls.runtime().getLastError() : Syscalls.EAGAIN;
            if (errno != Syscalls.EINTR) {
                throw new SyscallException("send", errno);
            }
        }
    }

    /** SHUT_WR: the peer reads end of stream; SHUT_RDWR also wakes a blocked {@link #receive}. */
    public void shutdown(int how) {
        int current = fd;
        if (current >= 0) {
            Syscalls.libc().shutdown(current, how);
        }
    }

    @Override
    public void close() {
        int current = fd;
        fd = -1;
        if (current >= 0) {
            Syscalls.descriptors().close(current);
        }
    }
}
