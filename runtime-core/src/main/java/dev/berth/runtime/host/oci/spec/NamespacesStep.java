package dev.berth.runtime.host.oci.spec;

import dev.berth.common.error.BerthException;
import dev.berth.runtime.host.cgroup.CgroupLayout;
import dev.berth.runtime.host.ns.NamespaceKind;
import dev.berth.runtime.host.ns.PinnedNamespaces;
import dev.berth.runtime.host.ns.UserNamespaceMapping;
import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.OciSpec;
import dev.berth.runtime.host.oci.OciSpec.Namespace;
import java.util.List;

/**
 * The namespaces: the pod's own user namespace if it has one (with its mapping), the PID namespace its mode asks
 * for, the pod's pinned network/IPC/UTS namespaces (none pinned: the node's), its own mount namespace, and its own cgroup namespace where cgroup v2 makes that useful.
 */
public final class NamespacesStep implements SpecStep {

    private final CgroupLayout layout;

    public NamespacesStep(CgroupLayout layout) {
        this.layout = layout;
    }

    @Override
    public void apply(ContainerSpecRequest request, OciSpec.Builder spec) {
        OciSpec.Linux.Builder linux = spec.linux();
        PinnedNamespaces pinned = request.sandbox().namespaces();
        // The pod's own user namespace: the runtime joins it before the others, which it owns.
        pinned.path(NamespaceKind.USER).ifPresent(p -> {
            UserNamespaceMapping mapping = pinned.ownUserNamespace().orElseThrow(() -> BerthException.internal(
                    "sandbox " + pinned.sandboxId() + " has a user namespace pin but no mapping", null));
            linux.addNamespace(Namespace.join("user", p.toString()));
            linux.uidMappings(List.of(new OciSpec.IdMapping(0, mapping.hostUid(), mapping.uidLength())));
            linux.gidMappings(List.of(new OciSpec.IdMapping(0, mapping.hostGid(), mapping.gidLength())));
        });
        switch (request.pidMode()) {
            case CONTAINER:
                linux.addNamespace(Namespace.fresh("pid"));
                break;
            case POD:
            case TARGET:
                if (request.pidNamespace() == null) {
                    throw BerthException.invalidArgument("PID mode " + request.pidMode()
                            + " needs a namespace to join");
                }
                linux.addNamespace(Namespace.join("pid", request.pidNamespace().toString()));
                break;
            case NODE:
            default:
                break;
        }
        pinned.path(NamespaceKind.NET).ifPresent(p -> linux.addNamespace(Namespace.join("network", p.toString())));
        pinned.path(NamespaceKind.IPC).ifPresent(p -> linux.addNamespace(Namespace.join("ipc", p.toString())));
        pinned.path(NamespaceKind.UTS).ifPresent(p -> linux.addNamespace(Namespace.join("uts", p.toString())));
        linux.addNamespace(Namespace.fresh("mount"));
        if (layout.isUnified()) {
            linux.addNamespace(Namespace.fresh("cgroup"));
        }
    }
}
