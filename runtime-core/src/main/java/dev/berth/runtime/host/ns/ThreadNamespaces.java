package dev.berth.runtime.host.ns;

import dev.berth.common.error.BerthException;
import dev.berth.runtime.host.sys.Syscalls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Makes new network, IPC and UTS namespaces from inside the daemon and pins them: a thread of its own unshares them
 * (these kinds may be unshared by one thread of a multithreaded process), bind-mounts its namespace files onto the
 * pins, brings the new loopback interface up and ends. Nothing else ever runs on that thread, so no other code sees
 * its namespaces. The same from a spawned {@code unshare} and {@code ip} costs two program starts.
 */
final class ThreadNamespaces {

    private static final int CLONE_NEWUTS = 0x04000000;
    private static final int CLONE_NEWIPC = 0x08000000;
    private static final int CLONE_NEWNET = 0x40000000;
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    private static final long SIOCGIFFLAGS = 0x8913;
    private static final long SIOCSIFFLAGS = 0x8914;
    private static final int IFF_UP = 1;
    /** struct ifreq: the interface name (16 bytes), then a union whose first member is the short flags. */
    private static final int IFREQ_SIZE = 40;
    private static final int IFREQ_FLAGS = 16;
    private static final long THREAD_WAIT_SECONDS = 30;

    private ThreadNamespaces() {
    }

    /** Whether this class can make these kinds (network, IPC and UTS; a user namespace needs a process). */
    static boolean canMake(Iterable<NamespaceKind> kinds) {
        for (NamespaceKind kind : kinds) {
            if (kind == NamespaceKind.USER) {
                return false;
            }
        }
        return true;
    }

    /** Makes a namespace of each kind and bind-mounts it on its pin file, which exists already. */
    static void makeAndPin(String sandboxId, Map<NamespaceKind, Path> pins) {
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                unshareAndPin(pins);
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }, "berth-pin-" + sandboxId.substring(0, Math.min(12, sandboxId.length())));
        thread.setDaemon(true);
        thread.start();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(THREAD_WAIT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BerthException(BerthException.Kind.CANCELLED,
                    "interrupted while pinning the namespaces of sandbox " + sandboxId);
        }
        if (thread.isAlive()) {
            throw BerthException.internal("pinning the namespaces of sandbox " + sandboxId + " did not finish within "
                    + THREAD_WAIT_SECONDS + " s", null);
        }
        if (failure.get() != null) {
            throw BerthException.internal("cannot pin namespaces of sandbox " + sandboxId + ": "
                    + failure.get().getMessage(), failure.get());
        }
    }

    /** Runs on the pinning thread; it ends right after, in the namespaces it made. */
    private static void unshareAndPin(Map<NamespaceKind, Path> pins) {
        int flags = 0;
        for (NamespaceKind kind : pins.keySet()) {
            flags |= switch (kind) {
                case NET -> CLONE_NEWNET;
                case IPC -> CLONE_NEWIPC;
                case UTS -> CLONE_NEWUTS;
                case USER -> throw new IllegalArgumentException("a user namespace needs a process of its own");
            };
        }
        Syscalls.unshare(flags);
        for (Map.Entry<NamespaceKind, Path> pin : pins.entrySet()) {
            Syscalls.mount("/proc/thread-self/ns/" + pin.getKey().dirName(), pin.getValue().toString(), null,
                    Syscalls.MS_BIND, null);
        }
        if (pins.containsKey(NamespaceKind.NET)) {
            loopbackUp();
        }
    }

    /** {@code ip link set lo up} in this thread's network namespace. */
    private static void loopbackUp() {
        int fd = Syscalls.socket(AF_INET, SOCK_DGRAM);
        try {
            byte[] request = new byte[IFREQ_SIZE];
            byte[] name = "lo".getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(name, 0, request, 0, name.length);
            Syscalls.ioctl(fd, SIOCGIFFLAGS, request, "SIOCGIFFLAGS lo");
            // The flags are a host-order (little-endian here) short.
            request[IFREQ_FLAGS] |= IFF_UP;
            Syscalls.ioctl(fd, SIOCSIFFLAGS, request, "SIOCSIFFLAGS lo");
        } finally {
            Syscalls.close(fd);
        }
    }
}
