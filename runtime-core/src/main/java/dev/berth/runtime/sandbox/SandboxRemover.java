package dev.berth.runtime.sandbox;

import dev.berth.runtime.container.ContainerEventType;
import dev.berth.runtime.container.EventNotifier;
import dev.berth.runtime.store.SafeTrees;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RemovePodSandbox: stop it if needed (containers killed at once), remove its containers, its files and its record,
 * and free its name. Idempotent; a missing sandbox is fine.
 */
public final class SandboxRemover {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxRemover.class);

    private final SandboxRegistry registry;
    private final SandboxHost host;
    private final SandboxStopper stopper;
    private final PodContainers containers;
    private final EventNotifier notifier;

    public SandboxRemover(SandboxRegistry registry, SandboxHost host, SandboxStopper stopper,
            PodContainers containers, EventNotifier notifier) {
        this.registry = registry;
        this.host = host;
        this.stopper = stopper;
        this.containers = containers;
        this.notifier = notifier;
    }

    public void remove(String idOrPrefix) {
        Optional<SandboxRecord> found = registry.find(idOrPrefix);
        if (found.isEmpty()) {
            LOG.debug("event=sandbox_remove_missing sandbox={}", idOrPrefix);
            return;
        }
        String id = found.get().id();
        registry.locks().with(id, () -> removeLocked(id));
    }

    /** Removes a sandbox in any state (also a CREATING leftover at recovery); the caller holds its lock. */
    void removeLocked(String id) {
        Optional<SandboxRecord> current = registry.byFullId(id);
        if (current.isEmpty()) {
            return;
        }
        // Stop is cheap when already done and finishes a half-done one.
        stopper.stopLocked(id, java.time.Duration.ZERO);
        containers.removeAll(id);
        SafeTrees.delete(host.layout().sandboxRuntime(id));
        SandboxRecord record = registry.byFullId(id).orElse(current.get());
        registry.delete(record);
        registry.locks().forget(id);
        LOG.info("event=sandbox_removed sandbox={} pod={}/{}", id, record.metadata().namespace(),
                record.metadata().name());
        // The last status the pod had: the kubelet reads the pod's UID from every event.
        notifier.notifySandbox(record, ContainerEventType.CONTAINER_DELETED);
    }
}
