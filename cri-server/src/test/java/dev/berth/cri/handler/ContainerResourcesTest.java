package dev.berth.cri.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.proto.runtime.v1.HugepageLimit;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerResources;
import dev.berth.proto.runtime.v1.UpdateContainerResourcesRequest;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Resource limits as the kernel holds them: the container's cgroup v1 files on the host (cgroupfs driver, so the
 * cgroup is {@code <parent>/berth-<id>} in each hierarchy), and the container process's oom_score_adj. This node
 * is cgroup v1 "hybrid": pids limits have no CRI field but {@code unified}, which applies to cgroup v2 only, so
 * berth sets none here; it has no hugetlb controller, so hugepage limits are skipped (logged) rather than refused.
 */
@Tag("host")
class ContainerResourcesTest {

    static final long MIB = 1024 * 1024;

    static final TestRegistry registry = TestRegistry.start();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n");

    static TestPod pod;

    @BeforeAll
    static void pullAndRunPod() {
        PushedImage busybox = berth.pullBusybox(registry, "resources/busybox");
        pod = TestPod.run(berth, busybox.imageId(), "resources", false);
    }

    @AfterAll
    static void removePodAndCheckLeftovers() {
        pod.close();
        registry.close();
        berth.stopDaemon();
        berth.assertNothingLeft();
    }

    @Test
    void limitsReachTheCgroupFilesAndUpdatesChangeThem() throws Exception {
        String id = pod.run(pod.container("limited").setLinux(LinuxContainerConfig.newBuilder()
                .setResources(LinuxContainerResources.newBuilder()
                        .setCpuShares(512).setCpuQuota(50_000).setCpuPeriod(100_000)
                        .setCpusetCpus("0").setCpusetMems("0")
                        .setMemoryLimitInBytes(64 * MIB).setMemorySwapLimitInBytes(128 * MIB)
                        .addHugepageLimits(HugepageLimit.newBuilder().setPageSize("2MB").setLimit(4 * MIB)))));
        try {
            assertEquals("512", cgroup(id, "cpu", "cpu.shares"));
            assertEquals("50000", cgroup(id, "cpu", "cpu.cfs_quota_us"));
            assertEquals("100000", cgroup(id, "cpu", "cpu.cfs_period_us"));
            assertEquals("0", cgroup(id, "cpuset", "cpuset.cpus"));
            assertEquals("0", cgroup(id, "cpuset", "cpuset.mems"));
            assertEquals(Long.toString(64 * MIB), cgroup(id, "memory", "memory.limit_in_bytes"));
            if (Files.exists(file(id, "memory", "memory.memsw.limit_in_bytes"))) {
                assertEquals(Long.toString(128 * MIB), cgroup(id, "memory", "memory.memsw.limit_in_bytes"));
            }

            berth.client().runtime().updateContainerResources(UpdateContainerResourcesRequest.newBuilder()
                    .setContainerId(id).setLinux(LinuxContainerResources.newBuilder()
                            .setCpuShares(256).setCpuQuota(20_000).setCpuPeriod(100_000)
                            .setMemoryLimitInBytes(96 * MIB).setMemorySwapLimitInBytes(192 * MIB)).build());
            assertEquals("256", cgroup(id, "cpu", "cpu.shares"));
            assertEquals("20000", cgroup(id, "cpu", "cpu.cfs_quota_us"));
            assertEquals(Long.toString(96 * MIB), cgroup(id, "memory", "memory.limit_in_bytes"));
            if (Files.exists(file(id, "memory", "memory.memsw.limit_in_bytes"))) {
                assertEquals(Long.toString(192 * MIB), cgroup(id, "memory", "memory.memsw.limit_in_bytes"));
            }
        } finally {
            pod.remove(id);
        }
    }

    @Test
    void oomScoreAdjIsTheRequestedValueClampedUpToTheDaemonsOwn() throws Exception {
        // The daemon runs with this JVM's oom_score_adj; without CAP_SYS_RESOURCE nothing it starts may go lower.
        int own = Integer.parseInt(Files.readString(Path.of("/proc/self/oom_score_adj")).strip());
        String raised = pod.run(oomScoreAdj("oom-raised", 300));
        String lowered = pod.run(oomScoreAdj("oom-lowered", -500));
        try {
            assertEquals(Integer.toString(Math.max(300, own)), oomScoreAdjOf(raised));
            assertEquals(Integer.toString(Math.max(-500, own)), oomScoreAdjOf(lowered));
        } finally {
            pod.remove(raised);
            pod.remove(lowered);
        }
    }

    private static dev.berth.proto.runtime.v1.ContainerConfig.Builder oomScoreAdj(String name, long value) {
        return pod.container(name).setLinux(LinuxContainerConfig.newBuilder().setResources(
                LinuxContainerResources.newBuilder().setOomScoreAdj(value)));
    }

    /** Read on the host, from the container's one process (the only PID in its cgroup). */
    private static String oomScoreAdjOf(String id) throws IOException {
        String pid = cgroup(id, "pids", "cgroup.procs");
        return Files.readString(Path.of("/proc", pid, "oom_score_adj")).strip();
    }

    private static String cgroup(String id, String controller, String name) throws IOException {
        return Files.readString(file(id, controller, name)).strip();
    }

    private static Path file(String id, String controller, String name) {
        String parent = berth.cgroupParent().startsWith("/") ? berth.cgroupParent().substring(1)
                : berth.cgroupParent();
        return Path.of("/sys/fs/cgroup", controller, parent, "berth-" + id, name);
    }
}
