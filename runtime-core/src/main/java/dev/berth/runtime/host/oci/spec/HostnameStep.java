package dev.berth.runtime.host.oci.spec;

import dev.berth.runtime.host.ns.NamespaceKind;
import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.OciSpec;
import dev.berth.runtime.host.oci.SandboxContext;

/**
 * The pod's hostname when it has its own UTS namespace: the runtime sets it as each container joins (the pin is made
 * with no hostname, so that its one spawn can run the network setup instead). Left out for the node's namespace.
 */
public final class HostnameStep implements SpecStep {

    @Override
    public void apply(ContainerSpecRequest request, OciSpec.Builder spec) {
        SandboxContext sandbox = request.sandbox();
        spec.hostname(sandbox.namespaces().path(NamespaceKind.UTS).isPresent() ? sandbox.hostname() : null);
    }
}
