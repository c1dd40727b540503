package dev.berth.runtime.host.oci.spec;

import static dev.berth.runtime.host.oci.spec.SpecFixture.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.berth.common.fs.MountTable;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.HugepageLimit;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerResources;
import dev.berth.runtime.host.cgroup.CgroupLayout;
import dev.berth.runtime.host.oci.OciSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResourcesStepTest {

    @TempDir
    Path tmp;
    SpecFixture fixture;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new SpecFixture(tmp);
    }

    static ContainerConfig.Builder withResources(LinuxContainerResources.Builder resources) {
        return config().setLinux(LinuxContainerConfig.newBuilder().setResources(resources));
    }

    @Test
    void resourcesMap() {
        OciSpec.Resources r = fixture.apply(withResources(LinuxContainerResources.newBuilder().setCpuShares(512)
                .setCpuQuota(50000).setCpuPeriod(100000).setCpusetCpus("0").setMemoryLimitInBytes(64 << 20)
                .addHugepageLimits(HugepageLimit.newBuilder().setPageSize("2MB").setLimit(0))
                .putUnified("memory.high", "1")), new ResourcesStep(SpecFixture.hybridLayout()))
                .linux().resources();
        assertEquals(512L, r.cpu().shares());
        assertEquals(50000L, r.cpu().quota());
        assertEquals(100000L, r.cpu().period());
        assertEquals("0", r.cpu().cpus());
        assertEquals(64L << 20, r.memory().limit());
        assertNull(r.unified(), "unified resources are dropped on cgroup v1");
        assertNull(r.hugepageLimits(), "no hugetlb v1 hierarchy in this layout");
    }

    @Test
    void nothingAskedLeavesCpuAndMemoryOut() {
        OciSpec.Resources r = fixture.apply(config(), new ResourcesStep(SpecFixture.hybridLayout()))
                .linux().resources();
        assertNull(r.cpu());
        assertNull(r.memory());
    }

    @Test
    void hugepagesWithAHugetlbHierarchyAndUnifiedOnCgroupV2() {
        CgroupLayout withHugetlb = CgroupLayout.from(MountTable.parse(SpecFixture.HYBRID_MOUNTINFO
                + "\n36 31 0:33 / /sys/fs/cgroup/hugetlb rw,relatime - cgroup cgroup rw,hugetlb"));
        LinuxContainerResources.Builder resources = LinuxContainerResources.newBuilder()
                .addHugepageLimits(HugepageLimit.newBuilder().setPageSize("2MB").setLimit(4096))
                .putUnified("memory.high", "1");
        assertEquals(List.of(new OciSpec.HugepageLimit("2MB", 4096)), fixture.apply(withResources(resources),
                new ResourcesStep(withHugetlb)).linux().resources().hugepageLimits());
        CgroupLayout v2 = CgroupLayout.from(MountTable.parse("30 1 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw"));
        assertEquals(Map.of("memory.high", "1"), fixture.apply(withResources(resources), new ResourcesStep(v2))
                .linux().resources().unified());
    }
}
