package dev.berth.image.store;

import java.util.Objects;

/**
 * How a container's layers are seen from its pod's user namespace: the namespace (a pinned nsfs file whose mappings
 * the idmapped layer views take) and the host ids of the pod's root, which own the new writable layer.
 */
public record IdMap(String usernsPath, long rootUid, long rootGid) {

    public IdMap {
        Objects.requireNonNull(usernsPath, "usernsPath");
    }
}
