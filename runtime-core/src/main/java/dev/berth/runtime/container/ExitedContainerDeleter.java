package dev.berth.runtime.container;

import dev.berth.runtime.sandbox.MonitorExit;
import dev.berth.runtime.sandbox.OciHandlers;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes a container from the OCI runtime as soon as it has exited (as containerd does when it handles the exit), so
 * that RemoveContainer only removes files and the record. Runs off the exit watcher's thread, under the container's
 * lock. A delete that fails or never ran (berth died first) is done again by RemoveContainer, which finds the
 * runtime's state directory still there.
 */
final class ExitedContainerDeleter {

    private static final Logger LOG = LoggerFactory.getLogger(ExitedContainerDeleter.class);
    private static final Duration CONMON_EXIT_WAIT = Duration.ofSeconds(10);

    private final ContainerRegistry registry;
    private final ContainerHost host;
    private final ExecutorService deleters = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "runtime-delete");
        thread.setDaemon(true);
        return thread;
    });

    ExitedContainerDeleter(ContainerRegistry registry, ContainerHost host) {
        this.registry = registry;
        this.host = host;
    }

    /** Deletes the exited container from its runtime in the background. */
    void schedule(String containerId) {
        deleters.execute(() -> {
            try {
                registry.locks().with(containerId, () -> {
                    Optional<ContainerRecord> record = registry.byFullId(containerId);
                    if (record.isPresent() && record.get().state() == ContainerState.EXITED) {
                        delete(record.get());
                    }
                });
            } catch (RuntimeException e) {
                LOG.warn("event=exited_container_delete_failed container={} error=\"{}\"", containerId,
                        e.getMessage());
            }
        });
    }

    private void delete(ContainerRecord record) {
        Optional<OciHandlers.Handler> handler = host.handlers().find(record.runtimeHandler());
        if (handler.isEmpty() || !handler.get().runtime().hasState(record.id())) {
            return;
        }
        long started = System.nanoTime();
        // Not forced: the container has exited; a runtime that disagrees keeps it for RemoveContainer.
        handler.get().runtime().delete(record.id(), false);
        MonitorExit.await(host.bundle(record.id()), CONMON_EXIT_WAIT);
        LOG.debug("event=exited_container_deleted container={} took_ms={}", record.id(),
                (System.nanoTime() - started) / 1_000_000);
    }
}
