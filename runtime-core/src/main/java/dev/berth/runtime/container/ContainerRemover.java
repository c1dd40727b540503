package dev.berth.runtime.container;

import dev.berth.runtime.sandbox.MonitorExit;
import dev.berth.runtime.sandbox.OciHandlers;
import dev.berth.runtime.store.SafeTrees;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RemoveContainer: kill it if it still runs, {@code runc delete} if its exit did not do it already, conmon's
 * leftovers, the rootfs, the cgroup, the
 * bundle and the record; the name is free again. The log file stays (the kubelet owns and removes it). Idempotent; a
 * missing container is fine.
 */
public final class ContainerRemover {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerRemover.class);

    private static final Duration CONMON_EXIT_WAIT = Duration.ofSeconds(10);

    private final ContainerRegistry registry;
    private final ContainerHost host;
    private final ContainerStopper stopper;
    private final ContainerExits exits;
    private final EventNotifier notifier;
    private final ExecutorService releasers = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "rootfs-release");
        thread.setDaemon(true);
        return thread;
    });

    public ContainerRemover(ContainerRegistry registry, ContainerHost host, ContainerStopper stopper,
            ContainerExits exits, EventNotifier notifier) {
        this.registry = registry;
        this.host = host;
        this.stopper = stopper;
        this.exits = exits;
        this.notifier = notifier;
    }

    public void remove(String idOrPrefix) {
        Optional<ContainerRecord> found = registry.find(idOrPrefix);
        if (found.isEmpty()) {
            LOG.debug("event=container_remove_missing container={}", idOrPrefix);
            return;
        }
        removeRecord(found.get());
    }

    /** Removes a container in any state, CREATING leftovers included. */
    void removeRecord(ContainerRecord record) {
        stopper.stopRecord(record, Duration.ZERO);
        String id = record.id();
        Optional<ContainerRecord> removed = registry.locks().with(id, () -> {
            Optional<ContainerRecord> current = registry.byFullId(id);
            current.ifPresent(this::cleanUp);
            return current;
        });
        registry.locks().forget(id);
        removed.ifPresent(r -> {
            LOG.info("event=container_removed container={} sandbox={} name={}", id, r.sandboxId(), r.name());
            if (r.state() != ContainerState.CREATING) {
                notifier.notify(r, ContainerEventType.CONTAINER_DELETED);
            }
        });
    }

    /** Everything but the stop: also used at recovery for containers that have no usable record. */
    private void cleanUp(ContainerRecord record) {
        String id = record.id();
        exits.unwatch(id);
        // An exited container uses its rootfs no more: it is released while the runtime deletes the container.
        CompletableFuture<Void> rootfs = record.state() == ContainerState.EXITED
                ? CompletableFuture.runAsync(() -> host.rootfs().release(id), releasers) : null;
        try {
            Optional<OciHandlers.Handler> handler = host.handlers().find(record.runtimeHandler());
            if (handler.isPresent()) {
                // Normally deleted when it exited; left over when that failed or berth was down at the time.
                if (handler.get().runtime().hasState(id)) {
                    handler.get().runtime().delete(id, true);
                    MonitorExit.await(host.bundle(id), CONMON_EXIT_WAIT);
                }
                handler.get().conmon().cleanup(id, host.bundle(id));
            } else {
                LOG.warn("event=container_runtime_state_leaked container={} reason=handler_not_configured "
                        + "handler={}", id, record.runtimeHandler());
            }
        } finally {
            if (rootfs != null) {
                join(rootfs);
            }
        }
        if (rootfs == null) {
            host.rootfs().release(id);
        }
        host.readOnlyStaging().release(id);
        if (!record.cgroupsPath().isEmpty()) {
            host.cgroups().remove(record.cgroupsPath());
        }
        SafeTrees.delete(host.bundle(id));
        registry.delete(record);
    }

    /** Waits for a step run on another thread and rethrows its failure as it was. */
    private static void join(CompletableFuture<Void> step) {
        try {
            step.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error cause) {
                throw cause;
            }
            throw e;
        }
    }
}
