package dev.berth.runtime.spi;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A container root filesystem seen from its pod's user namespace: the image's files through idmapped views (root's
 * files show as the pod's root), the writable layer owned by the pod's root on the host.
 *
 * @param userns the pod's pinned user namespace
 * @param rootUid the host uid of the pod's root
 * @param rootGid the host gid of the pod's root
 */
public record IdmappedLayers(Path userns, long rootUid, long rootGid) {

    public IdmappedLayers {
        Objects.requireNonNull(userns, "userns");
    }
}
