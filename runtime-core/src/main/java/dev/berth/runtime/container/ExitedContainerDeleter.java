package dev.berth.runtime.container;

import dev.berth.runtime.sandbox.MonitorExit;
import dev.berth.runtime.sandbox.OciHandlers;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes a container from the OCI runtime when it has exited, before its exit is recorded (as containerd does when
 * it handles the exit), and unmounts its root filesystem, so that StopContainer returns with the runtime's work done
 * and RemoveContainer only removes files and the record. A delete that fails, or never ran because berth was down,
 * is done by RemoveContainer, which finds the runtime's state directory still there; the rootfs then stays mounted
 * until RemoveContainer too.
 */
final class ExitedContainerDeleter {

    private static final Logger LOG = LoggerFactory.getLogger(ExitedContainerDeleter.class);
    private static final Duration CONMON_EXIT_WAIT = Duration.ofSeconds(10);

    private final ContainerHost host;

    ExitedContainerDeleter(ContainerHost host) {
        this.host = host;
    }

    /** Deletes the exited container from its runtime; failures are logged and left for RemoveContainer. */
    void delete(ContainerRecord record) {
        try {
            Optional<OciHandlers.Handler> handler = host.handlers().find(record.runtimeHandler());
            if (handler.isEmpty()) {
                return;
            }
            long started = System.nanoTime();
            if (handler.get().runtime().hasState(record.id())) {
                // Not forced: the container has exited; a runtime that disagrees keeps it for RemoveContainer.
                handler.get().runtime().delete(record.id(), false);
                MonitorExit.await(host.bundle(record.id()), CONMON_EXIT_WAIT);
            }
            // The runtime no longer knows the container, so none of its processes uses the mounts.
            host.rootfs().unmountExited(record.id());
            LOG.debug("event=exited_container_deleted container={} took_ms={}", record.id(),
                    (System.nanoTime() - started) / 1_000_000);
        } catch (RuntimeException e) {
            LOG.warn("event=exited_container_delete_failed container={} error=\"{}\"", record.id(),
                    e.getMessage());
        }
    }
}
