package dev.berth.runtime.host.oci.spec;

import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.runtime.host.oci.MountDestination;
import dev.berth.runtime.host.oci.OciSpec;
import java.util.HashSet;
import java.util.Set;

/**
 * The destinations the request's own mounts cover. A default or sandbox mount there would only be hidden under the
 * kubelet's, so it is left out.
 */
final class RequestedMounts {

    private final Set<String> destinations;

    private RequestedMounts(Set<String> destinations) {
        this.destinations = destinations;
    }

    /** Rejects a malformed container_path before any mount is made. */
    static RequestedMounts of(ContainerConfig config) {
        Set<String> destinations = new HashSet<>();
        config.getMountsList().forEach(m -> destinations.add(destination(m.getContainerPath())));
        return new RequestedMounts(destinations);
    }

    static String destination(String containerPath) {
        return MountDestination.of(containerPath, "mount container_path");
    }

    void addUnlessRequested(OciSpec.Builder spec, OciSpec.Mount mount) {
        if (!destinations.contains(mount.destination())) {
            spec.addMount(mount);
        }
    }
}
