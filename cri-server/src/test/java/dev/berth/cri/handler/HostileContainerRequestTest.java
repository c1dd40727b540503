package dev.berth.cri.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.cri.testing.Leftovers;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerMetadata;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.Int64Value;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerResources;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.ListContainersRequest;
import dev.berth.proto.runtime.v1.Mount;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.RemovePodSandboxRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.StopPodSandboxRequest;
import dev.berth.testing.cri.CriClient;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Container requests that would reach outside the container or that the kernel would refuse: each is refused with
 * INVALID_ARGUMENT naming the field before anything is created, and leaves no container, mount or bundle behind.
 */
@Tag("host")
class HostileContainerRequestTest {

    static final TestRegistry registry = TestRegistry.start();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n");

    static PushedImage busybox;
    static String podId;
    static PodSandboxConfig pod;

    @BeforeAll
    static void pullAndRunPod() {
        busybox = berth.pullBusybox(registry, "hostile/busybox");
        String uid = UUID.randomUUID().toString();
        pod = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("hostile").setNamespace("default").setUid(uid))
                .setHostname("hostile")
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(berth.cgroupParent()))
                .setLogDirectory(berth.home().resolve("logs").resolve(uid).toString())
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
        berth.assertNothingLeft();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/..", "/", "//", "/.", "/../..", "/a/../..", "/mnt/../", "/proc", "/proc/sys",
            "relative/path", ""})
    void mountDestinationOutsideTheContainerIsRefusedAndLeavesNothing(String containerPath) throws IOException {
        List<Path> mountsBefore = Leftovers.mountsUnder(berth.home());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> berth.client().runtime()
                .createContainer(request("escape", Mount.newBuilder().setContainerPath(containerPath)
                        .setHostPath("/").build())));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getMessage());
        assertTrue(e.getStatus().getDescription().contains("container_path"), e.getMessage());
        assertNothingCreated(mountsBefore);
    }

    @ParameterizedTest
    @ValueSource(strings = {"etc", "./etc", "/etc\0x"})
    void mountHostPathThatIsNotAbsoluteIsRefused(String hostPath) throws IOException {
        List<Path> mountsBefore = Leftovers.mountsUnder(berth.home());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> berth.client().runtime()
                .createContainer(request("relative-host", Mount.newBuilder().setContainerPath("/data")
                        .setHostPath(hostPath).build())));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getMessage());
        assertTrue(e.getStatus().getDescription().contains("host_path"), e.getMessage());
        assertNothingCreated(mountsBefore);
    }

    @Test
    void runAsGroupWithoutAUserIsRefused() throws IOException {
        List<Path> mountsBefore = Leftovers.mountsUnder(berth.home());
        CreateContainerRequest request = request("group-only", Mount.newBuilder().setContainerPath("/data")
                .setHostPath(berth.home().toString()).build());
        CreateContainerRequest groupOnly = request.toBuilder().setConfig(request.getConfig().toBuilder()
                .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(LinuxContainerSecurityContext
                        .newBuilder().setRunAsGroup(Int64Value.newBuilder().setValue(1234))))).build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> berth.client().runtime().createContainer(groupOnly));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getMessage());
        assertTrue(e.getStatus().getDescription().contains("run_as_group"), e.getMessage());
        assertNothingCreated(mountsBefore);
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory_limit_in_bytes", "cpu_quota", "cpu_period", "cpuset_cpus", "oom_score_adj"})
    void resourcesTheKernelWouldRefuseAreRefusedNamingTheField(String field) throws IOException {
        LinuxContainerResources.Builder resources = LinuxContainerResources.newBuilder();
        switch (field) {
            case "memory_limit_in_bytes" -> resources.setMemoryLimitInBytes(-5);
            case "cpu_quota" -> resources.setCpuQuota(-7);
            case "cpu_period" -> resources.setCpuPeriod(5_000_000);
            case "cpuset_cpus" -> resources.setCpusetCpus("4095");
            default -> resources.setOomScoreAdj(5000);
        }
        List<Path> mountsBefore = Leftovers.mountsUnder(berth.home());
        CreateContainerRequest request = request("resources", Mount.newBuilder().setContainerPath("/data")
                .setHostPath(berth.home().toString()).build());
        CreateContainerRequest absurd = request.toBuilder().setConfig(request.getConfig().toBuilder()
                .setLinux(LinuxContainerConfig.newBuilder().setResources(resources))).build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> berth.client().runtime().createContainer(absurd));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getMessage());
        assertTrue(e.getStatus().getDescription().contains("config.linux.resources." + field), e.getMessage());
        assertNothingCreated(mountsBefore);
    }

    private static void assertNothingCreated(List<Path> mountsBefore) throws IOException {
        assertEquals(0, berth.client().runtime().listContainers(ListContainersRequest.getDefaultInstance())
                .getContainersCount(), "a container was recorded");
        assertEquals(mountsBefore, Leftovers.mountsUnder(berth.home()), "a mount was made");
        Path bundles = berth.state().resolve("containers");
        if (Files.isDirectory(bundles)) {
            try (Stream<Path> entries = Files.list(bundles)) {
                assertEquals(List.of(), entries.toList(), "a bundle was made");
            }
        }
    }

    private static CreateContainerRequest request(String name, Mount mount) {
        return CreateContainerRequest.newBuilder()
                .setPodSandboxId(podId)
                .setSandboxConfig(pod)
                .setConfig(ContainerConfig.newBuilder()
                        .setMetadata(ContainerMetadata.newBuilder().setName(name))
                        .setImage(ImageSpec.newBuilder().setImage(busybox.imageId()))
                        .addCommand("sleep").addCommand("600")
                        .addMounts(mount))
                .build();
    }
}
