package dev.berth.runtime.container;

import dev.berth.common.fs.Trash;
import dev.berth.runtime.sandbox.MonitorExit;
import dev.berth.runtime.sandbox.OciHandlers;
import dev.berth.runtime.store.SafeTrees;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RemoveContainer: kill it if it still runs, {@code runc delete} if its exit did not do it already, conmon's
 * leftovers, the rootfs, the cgroup, the bundle and the record; the name is free again. The log file stays (the
 * kubelet owns and removes it). Directories leave their place before this returns; their files are deleted in the
 * background. Idempotent; a missing container is fine.
 */
public final class ContainerRemover {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerRemover.class);

    private static final Duration CONMON_EXIT_WAIT = Duration.ofSeconds(10);

    private final ContainerRegistry registry;
    private final ContainerHost host;
    private final ContainerStopper stopper;
    private final ContainerExits exits;
    private final EventNotifier notifier;
    private final Trash bundleTrash;

    /** @param bundleTrash on the state directory's file system: removed bundles are renamed into it */
    public ContainerRemover(ContainerRegistry registry, ContainerHost host, ContainerStopper stopper,
            ContainerExits exits, EventNotifier notifier, Trash bundleTrash) {
        this.registry = registry;
        this.host = host;
        this.stopper = stopper;
        this.exits = exits;
        this.notifier = notifier;
        this.bundleTrash = bundleTrash;
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
        // Unmounted already when the container exited (the usual case); only its directory is left to go.
        host.rootfs().release(id);
        host.readOnlyStaging().release(id);
        if (!record.cgroupsPath().isEmpty()) {
            host.cgroups().remove(record.cgroupsPath());
        }
        SafeTrees.discard(host.bundle(id), bundleTrash);
        registry.delete(record);
    }
}
