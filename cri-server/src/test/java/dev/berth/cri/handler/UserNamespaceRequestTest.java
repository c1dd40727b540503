package dev.berth.cri.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerMetadata;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.IDMapping;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.LinuxSandboxSecurityContext;
import dev.berth.proto.runtime.v1.ListPodSandboxRequest;
import dev.berth.proto.runtime.v1.NamespaceMode;
import dev.berth.proto.runtime.v1.NamespaceOption;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.UserNamespace;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code userns_options} through the CRI: malformed mappings, modes a user namespace cannot have, and namespace
 * modes a pod in its own user namespace cannot join (the node's network, IPC or PID namespace) are refused naming
 * what is wrong, and no pod is left from any of them. Well-formed pods run:
 * {@link UserNamespacePodTest}.
 */
@Tag("host")
class UserNamespaceRequestTest {

    static final IDMapping ROOT = IDMapping.newBuilder().setHostId(100_000).setContainerId(0).setLength(65_536)
            .build();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create();

    @AfterAll
    static void checkLeftovers() {
        berth.stopDaemon();
        berth.assertNothingLeft();
    }

    @Test
    void podsAskingForAUserNamespaceAreRefusedAndLeaveNothing() {
        refusedPod(NamespaceOption.newBuilder().setPid(NamespaceMode.NODE).setUsernsOptions(UserNamespace.newBuilder()
                .setMode(NamespaceMode.POD).addUids(ROOT).addGids(ROOT)),
                "namespace_options.pid must be CONTAINER or POD");
        refusedPod(NamespaceOption.newBuilder().setPid(NamespaceMode.CONTAINER).setNetwork(NamespaceMode.NODE)
                .setUsernsOptions(UserNamespace.newBuilder().setMode(NamespaceMode.POD).addUids(ROOT).addGids(ROOT)),
                "namespace_options.network must be POD");
        refusedPod(NamespaceOption.newBuilder().setPid(NamespaceMode.CONTAINER).setIpc(NamespaceMode.NODE)
                .setUsernsOptions(UserNamespace.newBuilder().setMode(NamespaceMode.POD).addUids(ROOT).addGids(ROOT)),
                "namespace_options.ipc must be POD");
        refusedPod(UserNamespace.newBuilder().setMode(NamespaceMode.POD).addUids(ROOT.toBuilder().setContainerId(1))
                .addGids(ROOT), "uids must map container id 0");
        refusedPod(UserNamespace.newBuilder().setMode(NamespaceMode.POD).addUids(ROOT).addUids(ROOT).addGids(ROOT),
                "uids must hold exactly one mapping");
        refusedPod(UserNamespace.newBuilder().setMode(NamespaceMode.POD).addUids(ROOT)
                .addGids(ROOT.toBuilder().setContainerId(1000)), "gids must map container id 0");
        refusedPod(UserNamespace.newBuilder().setMode(NamespaceMode.CONTAINER), "must be POD or NODE");
        refusedPod(UserNamespace.newBuilder().setMode(NamespaceMode.TARGET), "must be POD or NODE");
        assertEquals(0, berth.client().runtime().listPodSandbox(ListPodSandboxRequest.getDefaultInstance())
                .getItemsCount());
    }

    @Test
    void containersAskingForAUserNamespaceAreRefused() {
        ContainerConfig config = ContainerConfig.newBuilder()
                .setMetadata(ContainerMetadata.newBuilder().setName("userns"))
                .setImage(ImageSpec.newBuilder().setImage("busybox"))
                .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(LinuxContainerSecurityContext
                        .newBuilder().setNamespaceOptions(NamespaceOption.newBuilder().setUsernsOptions(UserNamespace
                                .newBuilder().setMode(NamespaceMode.TARGET)))))
                .build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> berth.client().runtime()
                .createContainer(CreateContainerRequest.newBuilder().setPodSandboxId("ab".repeat(32))
                        .setConfig(config).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains(
                "config.linux.security_context.namespace_options.userns_options.mode must be POD or NODE"),
                e.getStatus().getDescription());
    }

    private static void refusedPod(UserNamespace.Builder userns, String reason) {
        refusedPod(NamespaceOption.newBuilder().setPid(NamespaceMode.CONTAINER).setUsernsOptions(userns), reason);
    }

    private static void refusedPod(NamespaceOption.Builder namespaces, String reason) {
        PodSandboxConfig config = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("userns").setNamespace("default").setUid("u1"))
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(berth.cgroupParent())
                        .setSecurityContext(LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(namespaces)))
                .build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> berth.client().runtime()
                .runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(config).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getMessage());
        assertTrue(e.getStatus().getDescription().contains("linux.security_context.namespace_options."),
                e.getStatus().getDescription());
        assertTrue(e.getStatus().getDescription().contains(reason), e.getStatus().getDescription());
    }
}
