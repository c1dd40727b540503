package dev.berth.runtime.container;

import dev.berth.common.error.BerthException;
import dev.berth.common.time.EpochNanos;
import dev.berth.runtime.RuntimeObserver;
import dev.berth.runtime.host.monitor.ContainerExit;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns conmon's exit reports (delivered by the host ExitWatcher from inotify, no polling) into EXITED records, and
 * lets Stop wait for them. Reason: {@code OOMKilled} when the cgroup OOM killer ended the container, else
 * {@code Completed} for exit 0 and {@code Error} otherwise: the
 * reasons the kubelet shows in a pod's status and acts on.
 */
public final class ContainerExits {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerExits.class);
    private static final int SIGKILL_EXIT = 128 + Signals.SIGKILL;

    private final ContainerRegistry registry;
    private final ContainerHost host;
    private final EventNotifier notifier;
    private final RuntimeObserver observer;
    private final ConcurrentHashMap<String, CompletableFuture<ContainerRecord>> waiters = new ConcurrentHashMap<>();
    private final ExitedContainerDeleter deleter;
    // Exits are handled off the watcher's single thread: each one waits for its runtime delete.
    private final ExecutorService handlers = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "container-exit");
        thread.setDaemon(true);
        return thread;
    });

    public ContainerExits(ContainerRegistry registry, ContainerHost host, EventNotifier notifier,
            RuntimeObserver observer) {
        this.registry = registry;
        this.host = host;
        this.notifier = notifier;
        this.deleter = new ExitedContainerDeleter(host);
        this.observer = observer;
    }

    /** Arms the exit watch of a created or running container; fires at once if it already exited. */
    public void watch(ContainerRecord record) {
        host.exits().watch(record.id(), host.bundle(record.id()), host.handler(record).runtime(),
                exit -> handlers.execute(() -> onExit(exit)));
    }

    /** The coming SIGKILL is berth's own (a stop), not the OOM killer's. */
    public void expectKill(String containerId) {
        host.exits().expectKill(containerId);
    }

    public void unwatch(String containerId) {
        host.exits().unwatch(containerId);
    }

    /** Records an exit (from the watcher, or found at recovery). A container already EXITED is left alone. */
    public void onExit(ContainerExit exit) {
        String id = exit.containerId();
        registry.locks().with(id, () -> {
            Optional<ContainerRecord> current = registry.byFullId(id);
            if (current.isEmpty() || current.get().state() == ContainerState.EXITED) {
                return Optional.<ContainerRecord>empty();
            }
            ContainerRecord record = current.get();
            // The exit file's mtime comes from the coarse kernel clock: never report an end before the start.
            long finishedAt = Math.max(EpochNanos.of(exit.finishedAt()), record.startedAt());
            ContainerRecord updated = record.exited(finishedAt, exit.exitCode(),
                    reason(record, exit), exit.monitorLost() ? "container monitor died; exit code unknown" : "");
            // After the reason (the cgroup's OOM counter goes with the delete), before the record says EXITED.
            deleter.delete(record);
            registry.save(updated);
            LOG.info("event=container_exited container={} exit_code={} reason={}", id, updated.exitCode(),
                    updated.reason());
            observer.containerExited(updated.runtimeHandler(), updated.reason());
            // Published under the lock: STARTED always precedes it and DELETED always follows it.
            notifier.notify(updated, ContainerEventType.CONTAINER_STOPPED);
            return Optional.of(updated);
        });
        registry.byFullId(id).ifPresent(r -> complete(id, r));
    }

    private String reason(ContainerRecord record, ContainerExit exit) {
        // conmon's oom file, or (when conmon missed the event) the cgroup's own OOM-kill counter with a SIGKILL exit.
        boolean oom = exit.oomKilled() || (exit.exitCode() == SIGKILL_EXIT && !record.cgroupsPath().isEmpty()
                && host.stats().oomKills(record.cgroupsPath()) > 0);
        if (oom) {
            return "OOMKilled";
        }
        return exit.exitCode() == 0 ? "Completed" : "Error";
    }

    /**
     * Waits until the container's record says EXITED (or it is gone), up to {@code timeout}; true if it did.
     */
    public boolean await(String containerId, Duration timeout) {
        CompletableFuture<ContainerRecord> future = waiters.computeIfAbsent(containerId,
                k -> new CompletableFuture<>());
        // Checked after registering: an exit recorded in between is seen here, a later one completes the future.
        Optional<ContainerRecord> current = registry.byFullId(containerId);
        if (current.isEmpty() || current.get().state() == ContainerState.EXITED) {
            complete(containerId, current.orElse(null));
            return true;
        }
        try {
            future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BerthException(BerthException.Kind.CANCELLED,
                    "interrupted while waiting for container " + containerId + " to exit");
        }
    }

    private void complete(String containerId, ContainerRecord record) {
        if (record != null && record.state() != ContainerState.EXITED) {
            return;
        }
        CompletableFuture<ContainerRecord> future = waiters.remove(containerId);
        if (future != null) {
            future.complete(record);
        }
    }
}
