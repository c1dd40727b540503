package dev.berth.cri.handler;

import dev.berth.proto.runtime.v1.LinuxPodSandboxStatus;
import dev.berth.proto.runtime.v1.Namespace;
import dev.berth.proto.runtime.v1.NamespaceMode;
import dev.berth.proto.runtime.v1.IDMapping;
import dev.berth.proto.runtime.v1.NamespaceOption;
import dev.berth.proto.runtime.v1.UserNamespace;
import dev.berth.runtime.host.ns.UserNamespaceMapping;
import dev.berth.proto.runtime.v1.PodIP;
import dev.berth.proto.runtime.v1.PodSandbox;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.PodSandboxNetworkStatus;
import dev.berth.proto.runtime.v1.PodSandboxState;
import dev.berth.proto.runtime.v1.PodSandboxStatus;
import dev.berth.runtime.sandbox.NamespaceModes;
import dev.berth.runtime.sandbox.SandboxMetadata;
import dev.berth.runtime.sandbox.SandboxRecord;
import dev.berth.runtime.sandbox.SandboxState;

/** Sandbox records as CRI messages. */
final class SandboxMessages {

    private SandboxMessages() {
    }

    static PodSandbox sandbox(SandboxRecord record) {
        return PodSandbox.newBuilder()
                .setId(record.id())
                .setMetadata(metadata(record.metadata()))
                .setState(state(record.state()))
                .setCreatedAt(record.createdAt())
                .putAllLabels(record.labels())
                .putAllAnnotations(record.annotations())
                .setRuntimeHandler(record.runtimeHandler())
                .build();
    }

    static PodSandboxStatus status(SandboxRecord record) {
        PodSandboxStatus.Builder status = PodSandboxStatus.newBuilder()
                .setId(record.id())
                .setMetadata(metadata(record.metadata()))
                .setState(state(record.state()))
                .setCreatedAt(record.createdAt())
                .setLinux(LinuxPodSandboxStatus.newBuilder()
                        .setNamespaces(Namespace.newBuilder().setOptions(namespaces(record.namespaces()))))
                .putAllLabels(record.labels())
                .putAllAnnotations(record.annotations())
                .setRuntimeHandler(record.runtimeHandler());
        PodSandboxNetworkStatus.Builder network = PodSandboxNetworkStatus.newBuilder().setIp(record.ip());
        record.additionalIps().forEach(ip -> network.addAdditionalIps(PodIP.newBuilder().setIp(ip)));
        return status.setNetwork(network).build();
    }

    static PodSandboxMetadata metadata(SandboxMetadata metadata) {
        return PodSandboxMetadata.newBuilder()
                .setName(metadata.name())
                .setUid(metadata.uid())
                .setNamespace(metadata.namespace())
                .setAttempt(metadata.attempt())
                .build();
    }

    static PodSandboxState state(SandboxState state) {
        // CREATING never leaves runtime-core's lock; if a list catches it, the kubelet must not treat it as ready.
        return state == SandboxState.READY ? PodSandboxState.SANDBOX_READY : PodSandboxState.SANDBOX_NOTREADY;
    }

    static SandboxState state(PodSandboxState state) {
        return state == PodSandboxState.SANDBOX_READY ? SandboxState.READY : SandboxState.NOTREADY;
    }

    private static NamespaceOption namespaces(NamespaceModes modes) {
        NamespaceOption.Builder options = NamespaceOption.newBuilder()
                .setNetwork(mode(modes.network()))
                .setPid(mode(modes.pid()))
                .setIpc(mode(modes.ipc()))
                .setTargetId(modes.targetId());
        UserNamespaceMapping userns = modes.userns();
        if (userns != null) {
            options.setUsernsOptions(UserNamespace.newBuilder().setMode(NamespaceMode.POD)
                    .addUids(IDMapping.newBuilder().setContainerId(0).setHostId((int) userns.hostUid())
                            .setLength((int) userns.uidLength()))
                    .addGids(IDMapping.newBuilder().setContainerId(0).setHostId((int) userns.hostGid())
                            .setLength((int) userns.gidLength())));
        }
        return options.build();
    }

    private static NamespaceMode mode(dev.berth.runtime.sandbox.NamespaceMode mode) {
        return switch (mode) {
            case POD -> NamespaceMode.POD;
            case CONTAINER -> NamespaceMode.CONTAINER;
            case NODE -> NamespaceMode.NODE;
            case TARGET -> NamespaceMode.TARGET;
        };
    }
}
