package dev.berth.cri.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.proto.runtime.v1.LinuxContainerResources;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.PodSandboxStatusRequest;
import dev.berth.proto.runtime.v1.UpdatePodSandboxResourcesRequest;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * UpdatePodSandboxResources as the kernel holds it: the pod's own cgroup (its cgroup_parent, made here as the kubelet
 * makes it, under a "QoS" cgroup of this test's) carries the containers' sum plus the overhead in its cgroup v1 cpu
 * and memory files, and a value the kernel refuses leaves every file as it was.
 */
@Tag("host")
class PodResourcesTest {

    static final long MIB = 1024 * 1024;
    static final Path CGROUPS = Path.of("/sys/fs/cgroup");

    static final TestRegistry registry = TestRegistry.start();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n");

    static String image;
    static String qos;

    @BeforeAll
    static void pull() {
        PushedImage busybox = berth.pullBusybox(registry, "podresources/busybox");
        image = busybox.imageId();
        qos = berth.cgroupParent().substring(1) + "/qos";
    }

    @AfterAll
    static void checkLeftovers() throws IOException {
        removeCgroupTree(qos);
        registry.close();
        berth.stopDaemon();
        berth.assertNothingLeft();
    }

    @Test
    void theSumPlusOverheadReachesThePodCgroupAndARefusedValueChangesNothing() throws Exception {
        String podCgroup = qos + "/pod-" + UUID.randomUUID();
        for (String controller : List.of("cpu", "memory")) {
            Files.createDirectories(CGROUPS.resolve(controller).resolve(podCgroup));
        }
        try (TestPod pod = TestPod.run(berth, image, podConfig("resized", "/" + podCgroup))) {
            String container = pod.run(pod.container("app"));
            try {
                berth.client().runtime().updatePodSandboxResources(UpdatePodSandboxResourcesRequest.newBuilder()
                        .setPodSandboxId(pod.id())
                        .setOverhead(LinuxContainerResources.newBuilder().setCpuShares(10).setCpuQuota(10_000)
                                .setMemoryLimitInBytes(16 * MIB))
                        .setResources(LinuxContainerResources.newBuilder().setCpuShares(512).setCpuQuota(50_000)
                                .setCpuPeriod(100_000).setMemoryLimitInBytes(64 * MIB))
                        .build());
                assertEquals("522", read("cpu", podCgroup, "cpu.shares"));
                assertEquals("60000", read("cpu", podCgroup, "cpu.cfs_quota_us"));
                assertEquals("100000", read("cpu", podCgroup, "cpu.cfs_period_us"));
                assertEquals(Long.toString(80 * MIB), read("memory", podCgroup, "memory.limit_in_bytes"));
                String info = berth.client().runtime().podSandboxStatus(PodSandboxStatusRequest.newBuilder()
                        .setPodSandboxId(pod.id()).setVerbose(true).build()).getInfoOrThrow("info");
                assertTrue(info.contains("\"memoryLimitInBytes\":" + 80 * MIB), info);

                // A child's CFS quota above its parent's is refused by cgroup v1 (EINVAL); the memory limit,
                // written before it, must get its old value back.
                Files.writeString(CGROUPS.resolve("cpu").resolve(qos).resolve("cpu.cfs_quota_us"), "100000");
                StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () ->
                        berth.client().runtime().updatePodSandboxResources(UpdatePodSandboxResourcesRequest
                                .newBuilder().setPodSandboxId(pod.id())
                                .setResources(LinuxContainerResources.newBuilder().setCpuQuota(200_000)
                                        .setCpuPeriod(100_000).setMemoryLimitInBytes(32 * MIB))
                                .build()));
                assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
                assertTrue(refused.getStatus().getDescription().contains("cpu.cfs_quota_us"),
                        refused.getStatus().getDescription());
                assertEquals(Long.toString(80 * MIB), read("memory", podCgroup, "memory.limit_in_bytes"));
                assertEquals("60000", read("cpu", podCgroup, "cpu.cfs_quota_us"));
                assertEquals("100000", read("cpu", podCgroup, "cpu.cfs_period_us"));
                String after = berth.client().runtime().podSandboxStatus(PodSandboxStatusRequest.newBuilder()
                        .setPodSandboxId(pod.id()).setVerbose(true).build()).getInfoOrThrow("info");
                assertTrue(after.contains("\"memoryLimitInBytes\":" + 80 * MIB), after);
            } finally {
                pod.remove(container);
            }
        } finally {
            Files.writeString(CGROUPS.resolve("cpu").resolve(qos).resolve("cpu.cfs_quota_us"), "-1");
            removeCgroupTree(podCgroup);
        }
    }

    @Test
    void anUnknownPodIsNotFound() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
                berth.client().runtime().updatePodSandboxResources(UpdatePodSandboxResourcesRequest.newBuilder()
                        .setPodSandboxId("ab".repeat(32))
                        .setResources(LinuxContainerResources.newBuilder().setCpuShares(2)).build()));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    }

    @Test
    void aPodWithoutACgroupOfItsOwnIsRefused() {
        PodSandboxConfig config = podConfig("no-parent", "").toBuilder()
                .setLinux(LinuxPodSandboxConfig.getDefaultInstance()).build();
        try (TestPod pod = TestPod.run(berth, image, config)) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
                    berth.client().runtime().updatePodSandboxResources(UpdatePodSandboxResourcesRequest
                            .newBuilder().setPodSandboxId(pod.id())
                            .setResources(LinuxContainerResources.newBuilder().setCpuShares(3)).build()));
            assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().contains("cgroup_parent"), e.getStatus().getDescription());
        }
    }

    private static PodSandboxConfig podConfig(String name, String cgroupParent) {
        String uid = UUID.randomUUID().toString();
        return PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(name).setNamespace("default").setUid(uid))
                .setHostname(name)
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(cgroupParent))
                .setLogDirectory(berth.home().resolve("logs").resolve(uid).toString())
                .build();
    }

    private static String read(String controller, String relative, String name) throws IOException {
        return Files.readString(CGROUPS.resolve(controller).resolve(relative).resolve(name)).strip();
    }

    /** rmdir, deepest first, in every hierarchy (runc also makes the pod's cgroup in the ones this test did not). */
    private static void removeCgroupTree(String relative) throws IOException {
        try (Stream<Path> hierarchies = Files.list(CGROUPS)) {
            for (Path hierarchy : hierarchies.toList()) {
                Path top = hierarchy.resolve(relative);
                if (!Files.isDirectory(top) || Files.isSymbolicLink(hierarchy)) {
                    continue;
                }
                try (Stream<Path> tree = Files.walk(top)) {
                    for (Path dir : tree.filter(Files::isDirectory)
                            .sorted(Comparator.comparingInt(Path::getNameCount).reversed()).toList()) {
                        Files.delete(dir);
                    }
                }
            }
        }
    }
}
