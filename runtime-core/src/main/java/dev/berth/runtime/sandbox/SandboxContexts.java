package dev.berth.runtime.sandbox;

import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.runtime.host.files.SandboxFilePaths;
import dev.berth.runtime.host.files.SandboxShm;
import dev.berth.runtime.host.ns.NamespaceKind;
import dev.berth.runtime.host.ns.NamespacePins;
import dev.berth.runtime.host.ns.PinnedNamespaces;
import dev.berth.runtime.host.oci.SandboxContext;
import dev.berth.runtime.store.StateLayout;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/** What a sandbox's containers inherit, computed from its record (no probing: the record says what was set up). */
public final class SandboxContexts {

    private final StateLayout layout;
    private final NamespacePins pins;

    public SandboxContexts(StateLayout layout, NamespacePins pins) {
        this.layout = layout;
        this.pins = pins;
    }

    /**
     * The namespaces a pod pins: net and UTS unless it uses the node's network (Kubernetes ties UTS to it), IPC, and
     * its own user namespace when it asks for one.
     */
    public static Set<NamespaceKind> pinnedKinds(NamespaceModes modes) {
        EnumSet<NamespaceKind> kinds = EnumSet.noneOf(NamespaceKind.class);
        if (!modes.hostNetwork()) {
            kinds.add(NamespaceKind.NET);
            kinds.add(NamespaceKind.UTS);
        }
        if (modes.ipc() != NamespaceMode.NODE) {
            kinds.add(NamespaceKind.IPC);
        }
        if (modes.userns() != null) {
            kinds.add(NamespaceKind.USER);
        }
        return kinds;
    }

    public PinnedNamespaces namespaces(String sandboxId, NamespaceModes modes) {
        Set<NamespaceKind> kinds = pinnedKinds(modes);
        return new PinnedNamespaces(sandboxId,
                kinds.contains(NamespaceKind.NET) ? pins.pinPath(NamespaceKind.NET, sandboxId) : null,
                kinds.contains(NamespaceKind.IPC) ? pins.pinPath(NamespaceKind.IPC, sandboxId) : null,
                kinds.contains(NamespaceKind.UTS) ? pins.pinPath(NamespaceKind.UTS, sandboxId) : null,
                kinds.contains(NamespaceKind.USER) ? pins.pinPath(NamespaceKind.USER, sandboxId) : null,
                modes.userns());
    }

    public Path shmOf(String sandboxId, NamespaceModes modes) {
        return modes.ipc() == NamespaceMode.NODE ? null
                : SandboxShm.pathIn(layout.sandboxRuntime(sandboxId)).toAbsolutePath().normalize();
    }

    /** The context of a sandbox from its own record (RunPodSandbox, the PID holder). */
    public SandboxContext of(SandboxRecord record) {
        return of(record, null);
    }

    /** @param requestConfig the pod config a CreateContainer request carried; may be null or empty */
    public SandboxContext of(SandboxRecord record, PodSandboxConfig requestConfig) {
        return new SandboxContext(record.id(), configFor(record, requestConfig),
                namespaces(record.id(), record.namespaces()), record.cgroupParent(),
                SandboxFilePaths.in(layout.sandboxFiles(record.id())), shmOf(record.id(), record.namespaces()));
    }

    /** The pod config a container is checked and built against. */
    public static PodSandboxConfig configFor(SandboxRecord record, PodSandboxConfig requestConfig) {
        if (record.config() != null) {
            // The stored config wins over the request's copy (the kubelet sends the same one): the pod's
            // namespaces, files and network were set up from it, and all its containers must see one pod. A
            // different copy must not, e.g., give the pod's shared UTS namespace another hostname.
            return record.config();
        }
        // Upgrade path: the record predates stored configs; the kubelet's copy is whole, a rebuilt one is not.
        return requestConfig != null && requestConfig.hasMetadata() ? requestConfig : SandboxConfigs.of(record);
    }
}
