package dev.berth.runtime.sandbox;

import java.time.Duration;

/**
 * What stopping and removing a pod needs from its containers. Implemented by the container layer; an interface so
 * that sandboxes don't depend on containers (containers depend on sandboxes).
 */
public interface PodContainers {

    /** Stops every container of the pod, killing each after {@code timeout}; idempotent. */
    void stopAll(String sandboxId, Duration timeout);

    /** Removes every container of the pod (stopping running ones first); idempotent. */
    void removeAll(String sandboxId);
}
