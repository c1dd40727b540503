package dev.berth.runtime.host.oci.spec;

import dev.berth.proto.runtime.v1.Capability;
import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.LinuxCapabilities;
import dev.berth.runtime.host.oci.OciSpec;
import java.util.List;

/** The process's capability sets: the runtime default adjusted by the request's adds and drops, or all of them. */
public final class CapabilitiesStep implements SpecStep {

    @Override
    public void apply(ContainerSpecRequest request, OciSpec.Builder spec) {
        Capability requested = request.security().getCapabilities();
        boolean privileged = request.privileged();
        List<String> caps = LinuxCapabilities.compute(requested, privileged);
        spec.process().capabilities(new OciSpec.Capabilities(caps, caps, List.of(), caps,
                privileged ? null : LinuxCapabilities.ambient(requested)));
    }
}
