package dev.berth.runtime.host.ns;

import dev.berth.common.error.BerthException;
import dev.berth.runtime.host.sys.Syscalls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A pod's network, IPC and UTS namespaces from a thread of the daemon rather than from a spawned {@code unshare} or
 * {@code nsenter} (a program start each): one thread of a multithreaded process may unshare or join namespaces of
 * these kinds for itself. The thread does its one job in them and ends, so no other code ever runs in them. A user
 * namespace is made or joined by a whole process only: its pods keep the spawns.
 */
public final class ThreadNamespaces {

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
        onOwnThread("pinning the namespaces of sandbox " + sandboxId, () -> {
            unshareAndPin(pins);
            return null;
        });
    }

    /** Whether {@link #callInside} can join these pins (no user namespace among them). */
    public static boolean canJoin(PinnedNamespaces pins) {
        return pins.path(NamespaceKind.USER).isEmpty();
    }

    /**
     * Runs {@code work} on a thread that has joined the pinned network, IPC and UTS namespaces: a process it spawns
     * starts in them.
     */
    public static <T> T callInside(PinnedNamespaces pins, String what, Supplier<T> work) {
        if (!canJoin(pins)) {
            throw new IllegalArgumentException("a user namespace cannot be joined by one thread");
        }
        return onOwnThread(what, () -> {
            for (NamespaceKind kind : List.of(NamespaceKind.NET, NamespaceKind.IPC, NamespaceKind.UTS)) {
                pins.path(kind).ifPresent(Syscalls::setns);
            }
            return work.get();
        });
    }

    /**
     * Runs {@code work} on a new thread that ends with it; its failure is rethrown here. The wait has no limit and
     * outlasts an interrupt: the work is a few system calls, and a pin or a process made after its caller gave up
     * would be left behind.
     */
    private static <T> T onOwnThread(String what, Supplier<T> work) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                result.set(work.get());
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }, "berth-namespaces");
        thread.setDaemon(true);
        thread.start();
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure.get() instanceof BerthException e) {
            throw e;
        }
        if (failure.get() != null) {
            throw BerthException.internal(what + " failed: " + failure.get().getMessage(), failure.get());
        }
        return result.get();
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
