package dev.berth.runtime.container;

import dev.berth.runtime.sandbox.SandboxRegistry;
import dev.berth.runtime.store.EpochNanos;
import java.time.Clock;
import java.util.Comparator;

/** Publishes a container event with a snapshot of its pod, taken from memory. */
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
                sandboxes.byFullId(container.sandboxId()).orElse(null),
                containers.ofSandbox(container.sandboxId()).stream()
                        .filter(c -> c.state() != ContainerState.CREATING)
                        .sorted(Comparator.comparingLong(ContainerRecord::createdAt)).toList()));
    }
}
