package dev.berth.runtime.container;

import dev.berth.common.time.EpochNanos;
import dev.berth.runtime.sandbox.SandboxRecord;
import dev.berth.runtime.sandbox.SandboxRegistry;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;

/**
 * Publishes container and sandbox events, each with a snapshot of the pod taken from memory. A sandbox's events
 * carry its own ID as the container ID, as the CRI says.
 */
public final class EventNotifier {

    private final ContainerEvents events;
    private final ContainerRegistry containers;
    private final SandboxRegistry sandboxes;
    private final Clock clock;

    public EventNotifier(ContainerEvents events, ContainerRegistry containers, SandboxRegistry sandboxes,
            Clock clock) {
        this.events = events;
        this.containers = containers;
        this.sandboxes = sandboxes;
        this.clock = clock;
    }

    public void notify(ContainerRecord container, ContainerEventType type) {
        events.publish(new ContainerEvent(container.id(), type, EpochNanos.now(clock),
                sandboxes.byFullId(container.sandboxId()).orElse(null), podContainers(container.sandboxId())));
    }

    /** An event of the sandbox itself; {@code sandbox} is its status now (its last one once it is removed). */
    public void notifySandbox(SandboxRecord sandbox, ContainerEventType type) {
        events.publish(new ContainerEvent(sandbox.id(), type, EpochNanos.now(clock), sandbox,
                podContainers(sandbox.id())));
    }

    private List<ContainerRecord> podContainers(String sandboxId) {
        return containers.ofSandbox(sandboxId).stream()
                .filter(c -> c.state() != ContainerState.CREATING)
                .sorted(Comparator.comparingLong(ContainerRecord::createdAt)).toList();
    }
}
