package dev.berth.runtime.host.oci.spec;

import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.OciSpec;

/**
 * The root mount's propagation: a shared or slave mount only propagates if the root above it does too, so the
 * strongest propagation any CRI mount asks for (shared over slave) is applied to the root; none leaves it private.
 */
public final class RootfsPropagationStep implements SpecStep {

    @Override
    public void apply(ContainerSpecRequest request, OciSpec.Builder spec) {
        boolean shared = false;
        boolean slave = false;
        for (var mount : request.config().getMountsList()) {
            switch (mount.getPropagation()) {
                case PROPAGATION_BIDIRECTIONAL: shared = true; break;
                case PROPAGATION_HOST_TO_CONTAINER: slave = true; break;
                default: break;
            }
        }
        spec.linux().rootfsPropagation(shared ? "rshared" : (slave ? "rslave" : null));
    }
}
