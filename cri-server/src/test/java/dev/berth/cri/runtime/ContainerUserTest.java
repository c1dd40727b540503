package dev.berth.cri.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.cri.testing.CriClient;
import dev.berth.cri.testing.Leftovers;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerMetadata;
import dev.berth.proto.runtime.v1.ContainerStatusRequest;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.ExecSyncRequest;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.Int64Value;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.LinuxContainerUser;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.ListContainersRequest;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.proto.runtime.v1.RemoveContainerRequest;
import dev.berth.proto.runtime.v1.RemovePodSandboxRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.StartContainerRequest;
import dev.berth.proto.runtime.v1.StatusRequest;
import dev.berth.proto.runtime.v1.StopPodSandboxRequest;
import dev.berth.proto.runtime.v1.SupplementalGroupsPolicy;
import dev.berth.testing.image.BusyboxImages;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Who a container's process is, checked from inside it (/proc/PID/status) and in ContainerStatus: users resolved in
 * the image's /etc/passwd, groups per the supplemental-groups policy. The test image's user tester (1002:1002) is
 * also in staff (50) and www-data (33) in its /etc/group.
 */
class ContainerUserTest {

    static final TestRegistry registry = TestRegistry.start();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n");

    static PushedImage busybox;
    static PodSandboxConfig pod;
    static String podId;

    @BeforeAll
    static void pullAndRunPod() {
        busybox = BusyboxImages.busybox(registry, "users/busybox", "v1");
        berth.client().images().pullImage(PullImageRequest.newBuilder()
                .setImage(ImageSpec.newBuilder().setImage(busybox.reference())).build());
        pod = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("users").setNamespace("default")
                        .setUid(UUID.randomUUID().toString()))
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(berth.cgroupParent()))
                .build();
        podId = berth.client().runtime().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(pod).build())
                .getPodSandboxId();
    }

    @AfterAll
    static void removePodAndCheckLeftovers() {
        CriClient client = berth.client();
        client.runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
        client.runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
        registry.close();
        berth.stopDaemon();
        assertEquals(List.of(), Leftovers.podMountsUnder(berth.home(), berth.state()), "pod mounts left behind");
        assertEquals(List.of(), Leftovers.processesUsing(berth.home(), berth.state()), "processes left behind");
    }

    /** Runs {@code sleep} as the context says; returns the container's ID. */
    private static String run(String name, LinuxContainerSecurityContext.Builder security) {
        String id = berth.client().runtime().createContainer(CreateContainerRequest.newBuilder()
                .setPodSandboxId(podId)
                .setSandboxConfig(pod)
                .setConfig(ContainerConfig.newBuilder()
                        .setMetadata(ContainerMetadata.newBuilder().setName(name))
                        .setImage(ImageSpec.newBuilder().setImage(busybox.imageId()))
                        .addCommand("sleep").addCommand("600")
                        .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(security)))
                .build()).getContainerId();
        berth.client().runtime().startContainer(StartContainerRequest.newBuilder().setContainerId(id).build());
        return id;
    }

    /** The {@code Uid:}, {@code Gid:} and {@code Groups:} lines of the container's process, as the kernel has them. */
    private static List<String> identity(String id) {
        // The pod shares one PID namespace (the default), so the container's own process is found by name.
        String status = berth.client().runtime().execSync(ExecSyncRequest.newBuilder().setContainerId(id)
                .addCmd("sh").addCmd("-c").addCmd("cat /proc/$(pidof sleep)/status").setTimeout(20).build())
                .getStdout().toStringUtf8();
        return status.lines().filter(l -> l.startsWith("Uid:") || l.startsWith("Gid:") || l.startsWith("Groups:"))
                .map(l -> l.replaceAll("\\s+", " ").strip()).toList();
    }

    private static LinuxContainerUser reported(String id) {
        return berth.client().runtime().containerStatus(ContainerStatusRequest.newBuilder().setContainerId(id)
                .build()).getStatus().getUser().getLinux();
    }

    private static void remove(String id) {
        berth.client().runtime().removeContainer(RemoveContainerRequest.newBuilder().setContainerId(id).build());
    }

    @Test
    void mergeAddsTheImagesGroupsOfTheUserToTheRequestedOnes() {
        String id = run("merge", LinuxContainerSecurityContext.newBuilder().setRunAsUsername("tester")
                .addSupplementalGroups(4242));
        try {
            assertEquals(List.of("Uid: 1002 1002 1002 1002", "Gid: 1002 1002 1002 1002", "Groups: 33 50 1002 4242"),
                    identity(id));
            LinuxContainerUser user = reported(id);
            assertEquals(1002, user.getUid());
            assertEquals(1002, user.getGid());
            assertEquals(List.of(33L, 50L, 1002L, 4242L), user.getSupplementalGroupsList());
        } finally {
            remove(id);
        }
    }

    @Test
    void strictKeepsOnlyThePrimaryAndTheRequestedGroups() {
        String id = run("strict", LinuxContainerSecurityContext.newBuilder().setRunAsUsername("tester")
                .addSupplementalGroups(4242).setSupplementalGroupsPolicy(SupplementalGroupsPolicy.Strict));
        try {
            assertEquals(List.of("Uid: 1002 1002 1002 1002", "Gid: 1002 1002 1002 1002", "Groups: 1002 4242"),
                    identity(id));
            assertEquals(List.of(1002L, 4242L), reported(id).getSupplementalGroupsList());
        } finally {
            remove(id);
        }
    }

    @Test
    void runAsUserAndGroupOverrideTheImage() {
        String id = run("numeric", LinuxContainerSecurityContext.newBuilder()
                .setRunAsUser(Int64Value.newBuilder().setValue(1002))
                .setRunAsGroup(Int64Value.newBuilder().setValue(2000)));
        try {
            assertEquals(List.of("Uid: 1002 1002 1002 1002", "Gid: 2000 2000 2000 2000", "Groups: 33 50 2000"),
                    identity(id));
            LinuxContainerUser user = reported(id);
            assertEquals(1002, user.getUid());
            assertEquals(2000, user.getGid());
        } finally {
            remove(id);
        }
    }

    @Test
    void aUserNameTheImageDoesNotKnowIsRefusedAndLeavesNothing() {
        int before = berth.client().runtime().listContainers(ListContainersRequest.getDefaultInstance())
                .getContainersCount();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> remove(run("ghost",
                LinuxContainerSecurityContext.newBuilder().setRunAsUsername("ghost"))));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getMessage());
        assertTrue(e.getStatus().getDescription().contains("ghost"), e.getMessage());
        assertEquals(before, berth.client().runtime().listContainers(ListContainersRequest.getDefaultInstance())
                .getContainersCount());
    }

    @Test
    void statusAdvertisesTheSupplementalGroupsPolicy() {
        assertTrue(berth.client().runtime().status(StatusRequest.getDefaultInstance()).getFeatures()
                .getSupplementalGroupsPolicy());
    }
}
