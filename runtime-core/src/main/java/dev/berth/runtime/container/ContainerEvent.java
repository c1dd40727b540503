package dev.berth.runtime.container;

import dev.berth.runtime.sandbox.SandboxRecord;
import java.util.List;

/**
 * One container lifecycle event with the state of its pod when it happened.
 *
 * @param createdAt nanoseconds since the epoch
 * @param sandbox the pod's status then; null if the pod is already gone
 * @param containers the statuses of the pod's containers then (the deleted one is no longer among them)
 */
public record ContainerEvent(String containerId, ContainerEventType type, long createdAt, SandboxRecord sandbox,
                             List<ContainerRecord> containers) {

    public ContainerEvent {
        containers = List.copyOf(containers);
    }
}
