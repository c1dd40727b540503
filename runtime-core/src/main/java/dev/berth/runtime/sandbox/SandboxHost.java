package dev.berth.runtime.sandbox;

import dev.berth.runtime.host.files.SandboxFiles;
import dev.berth.runtime.host.files.SandboxShm;
import dev.berth.runtime.host.files.SandboxSysctls;
import dev.berth.runtime.host.ns.NamespacePins;
import dev.berth.runtime.spi.PodNetworkProvider;
import dev.berth.runtime.store.StateLayout;
import java.util.Set;

/**
 * The host-side tools a sandbox's lifecycle uses, grouped so that each step class takes one argument for them.
 *
 * @param userNamespaceHandlers the runtime handlers that run pods in their own user namespace on this host
 */
public record SandboxHost(
        StateLayout layout,
        OciHandlers handlers,
        NamespacePins pins,
        SandboxFiles files,
        SandboxShm shm,
        SandboxSysctls sysctls,
        PidHolder pidHolder,
        PodNetworkProvider network,
        Set<String> userNamespaceHandlers) {

    public SandboxHost {
        userNamespaceHandlers = Set.copyOf(userNamespaceHandlers);
    }
}
