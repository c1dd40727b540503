package dev.berth.runtime.sandbox;

import dev.berth.runtime.host.ns.PinnedNamespaces;
import dev.berth.runtime.store.Rollback;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The steps of RunPodSandbox that need the pod's pinned namespaces but not its network: the shm mount and the PID
 * holder. They run on another thread while the network is attached (the CNI plugins take most of a pod's start),
 * and undo what they did when one of them fails.
 */
final class PodSideSetup {

    /**
     * What was set up.
     *
     * @param shmNanos    time the shm mount took (0 when the pod uses the node's IPC namespace)
     * @param holderNanos time the PID holder took to start (0 without one)
     */
    record Done(boolean shmMounted, Optional<PidHolder.Process> holder, long shmNanos, long holderNanos) {
    }

    private final SandboxHost host;
    private final Executor executor;

    PodSideSetup(SandboxHost host, Executor executor) {
        this.host = host;
        this.executor = executor;
    }

    /** Starts the steps on the executor. */
    CompletableFuture<Done> start(String sandboxId, PinnedNamespaces pinned, NamespaceModes modes,
            String cgroupParent) {
        return CompletableFuture.supplyAsync(() -> run(sandboxId, pinned, modes, cgroupParent), executor);
    }

    /** Runs the steps on this thread; on failure nothing they made is left. */
    Done run(String sandboxId, PinnedNamespaces pinned, NamespaceModes modes, String cgroupParent) {
        Path runtimeDir = host.layout().sandboxRuntime(sandboxId);
        long mounting = System.nanoTime();
        boolean shm = modes.ipc() != NamespaceMode.NODE;
        if (shm) {
            host.shm().mount(runtimeDir);
        }
        long shmNanos = shm ? System.nanoTime() - mounting : 0;
        try {
            if (modes.pid() != NamespaceMode.POD) {
                return new Done(shm, Optional.empty(), shmNanos, 0);
            }
            long holding = System.nanoTime();
            PidHolder.Process holder = host.pidHolder().start(sandboxId, pinned, cgroupParent);
            return new Done(shm, Optional.of(holder), shmNanos, System.nanoTime() - holding);
        } catch (RuntimeException | Error e) {
            if (shm) {
                try {
                    host.shm().unmount(runtimeDir);
                } catch (RuntimeException undo) {
                    e.addSuppressed(undo);
                }
            }
            throw e;
        }
    }

    /** Adds the undo of what {@code done} set up, the holder's first. */
    void pushUndo(Rollback rollback, String sandboxId, String cgroupParent, Done done) {
        if (done.shmMounted()) {
            Path runtimeDir = host.layout().sandboxRuntime(sandboxId);
            rollback.push("shm", () -> host.shm().unmount(runtimeDir));
        }
        done.holder().ifPresent(holder -> rollback.push("pid holder",
                () -> host.pidHolder().destroy(sandboxId, cgroupParent, holder.pid(), holder.startTicks())));
    }
}
