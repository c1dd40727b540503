package dev.berth.runtime.host.oci.spec;

import dev.berth.proto.runtime.v1.Capability;
import dev.berth.runtime.host.oci.BoundingSet;
import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.LinuxCapabilities;
import dev.berth.runtime.host.oci.OciSpec;
import java.util.List;

/**
 * The process's capability sets: the runtime default adjusted by the request's adds and drops, or for a privileged
 * container everything the node's bounding set holds.
 */
public final class CapabilitiesStep implements SpecStep {

    private final BoundingSet node;

    public CapabilitiesStep(BoundingSet node) {
        this.node = node;
    }

    @Override
    public void apply(ContainerSpecRequest request, OciSpec.Builder spec) {
        Capability requested = request.security().getCapabilities();
        boolean privileged = request.privileged();
        List<String> caps = LinuxCapabilities.compute(requested, privileged, node);
        if (privileged) {
            spec.process().capabilities(new OciSpec.Capabilities(caps, caps, List.of(), caps, null));
            return;
        }
        // The kernel raises an ambient capability only if it is permitted and inheritable (and runc ignores a failed
        // raise), so ambient ones are inheritable too. Nothing else is: an empty inheritable set keeps a program's
        // file capabilities from adding any.
        List<String> ambient = LinuxCapabilities.ambient(requested);
        spec.process().capabilities(new OciSpec.Capabilities(caps, caps, ambient, caps, ambient));
    }
}
