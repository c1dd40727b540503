package dev.berth.runtime.host.oci.spec;

import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.OciSpec;

/** The mounted root filesystem, read-only when the request says so. */
public final class RootStep implements SpecStep {

    @Override
    public void apply(ContainerSpecRequest request, OciSpec.Builder spec) {
        spec.root(new OciSpec.Root(request.rootfs().toAbsolutePath().toString(),
                request.security().getReadonlyRootfs()));
    }
}
