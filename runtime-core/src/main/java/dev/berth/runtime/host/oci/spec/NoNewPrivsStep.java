package dev.berth.runtime.host.oci.spec;

import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.OciSpec;

/** no_new_privs when asked for; otherwise the field is left out (the runtime's default, off). */
public final class NoNewPrivsStep implements SpecStep {

    @Override
    public void apply(ContainerSpecRequest request, OciSpec.Builder spec) {
        spec.process().noNewPrivileges(request.security().getNoNewPrivs() ? Boolean.TRUE : null);
    }
}
