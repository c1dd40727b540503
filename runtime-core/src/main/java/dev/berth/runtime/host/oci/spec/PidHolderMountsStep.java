package dev.berth.runtime.host.oci.spec;

import dev.berth.proto.runtime.v1.Mount;
import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.OciSpec;
import java.util.List;

/**
 * The holder's mounts: /proc and /dev as every container has them, and its binary from the host (the request's one
 * mount), read-only.
 */
public final class PidHolderMountsStep implements SpecStep {

    @Override
    public void apply(ContainerSpecRequest request, OciSpec.Builder spec) {
        spec.addMount(DefaultMountsStep.PROC).addMount(DefaultMountsStep.DEV);
        for (Mount binary : request.config().getMountsList()) {
            spec.addMount(new OciSpec.Mount(binary.getContainerPath(), "bind", binary.getHostPath(),
                    List.of("rbind", "ro")));
        }
    }
}
