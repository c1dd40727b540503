package dev.berth.runtime.container;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.HugepageLimit;
import dev.berth.proto.runtime.v1.LinuxContainerResources;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

class ResourceValidatorTest {

    // A node with CPUs 0-3 and memory node 0.
    private final ResourceValidator validator = new ResourceValidator(bits(0, 1, 2, 3), bits(0));

    private static BitSet bits(int... indexes) {
        BitSet set = new BitSet();
        for (int i : indexes) {
            set.set(i);
        }
        return set;
    }

    private void assertRefused(LinuxContainerResources.Builder r, String field) {
        BerthException e = assertThrows(BerthException.class, () -> validator.validate(r.build(), "res"));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().startsWith("res." + field + " "), e.getMessage());
    }

    @Test
    void whatTheKubeletSendsPasses() {
        assertDoesNotThrow(() -> validator.validate(LinuxContainerResources.newBuilder()
                .setCpuPeriod(100_000).setCpuQuota(50_000).setCpuShares(512).setMemoryLimitInBytes(128L << 20)
                .setOomScoreAdj(-997).setCpusetCpus("0-1,3").setCpusetMems("0")
                .addHugepageLimits(HugepageLimit.newBuilder().setPageSize("2MB").setLimit(0)).build(), "res"));
        assertDoesNotThrow(() -> validator.validate(LinuxContainerResources.getDefaultInstance(), "res"));
        assertDoesNotThrow(() -> validator.validate(LinuxContainerResources.newBuilder().setCpuQuota(-1)
                .setMemorySwapLimitInBytes(-1).setCpuShares(2).build(), "res"));
    }

    @Test
    void negativeAndAbsurdValuesAreRefusedNamingTheField() {
        assertRefused(LinuxContainerResources.newBuilder().setMemoryLimitInBytes(-5), "memory_limit_in_bytes");
        assertRefused(LinuxContainerResources.newBuilder().setMemorySwapLimitInBytes(-2),
                "memory_swap_limit_in_bytes");
        assertRefused(LinuxContainerResources.newBuilder().setMemoryLimitInBytes(1 << 20)
                .setMemorySwapLimitInBytes(1 << 19), "memory_swap_limit_in_bytes");
        assertRefused(LinuxContainerResources.newBuilder().setCpuShares(-1), "cpu_shares");
        assertRefused(LinuxContainerResources.newBuilder().setCpuShares(262_145), "cpu_shares");
        assertRefused(LinuxContainerResources.newBuilder().setCpuPeriod(999), "cpu_period");
        assertRefused(LinuxContainerResources.newBuilder().setCpuPeriod(1_000_001), "cpu_period");
        assertRefused(LinuxContainerResources.newBuilder().setCpuPeriod(-100_000), "cpu_period");
        assertRefused(LinuxContainerResources.newBuilder().setCpuQuota(-2), "cpu_quota");
        assertRefused(LinuxContainerResources.newBuilder().setCpuQuota(999), "cpu_quota");
        // The kernel keeps CFS bandwidth in 44 bits: a larger cfs_quota_us is EINVAL from runc.
        assertRefused(LinuxContainerResources.newBuilder().setCpuQuota(1L << 44), "cpu_quota");
        assertDoesNotThrow(() -> validator.validate(LinuxContainerResources.newBuilder().setCpuQuota((1L << 44) - 1)
                .build(), "res"));
        assertRefused(LinuxContainerResources.newBuilder().setOomScoreAdj(1001), "oom_score_adj");
        assertRefused(LinuxContainerResources.newBuilder().setOomScoreAdj(-1001), "oom_score_adj");
        assertRefused(LinuxContainerResources.newBuilder().setCpusetCpus("0-"), "cpuset_cpus");
        assertRefused(LinuxContainerResources.newBuilder().setCpusetCpus("3-1"), "cpuset_cpus");
        assertRefused(LinuxContainerResources.newBuilder().setCpusetCpus("4"), "cpuset_cpus");
        assertRefused(LinuxContainerResources.newBuilder().setCpusetCpus("99999999999999999999"), "cpuset_cpus");
        assertRefused(LinuxContainerResources.newBuilder().setCpusetMems("1"), "cpuset_mems");
        BerthException e = assertThrows(BerthException.class, () -> validator.validate(LinuxContainerResources
                .newBuilder().addHugepageLimits(HugepageLimit.newBuilder().setPageSize("huge")).build(), "res"));
        assertTrue(e.getMessage().startsWith("res.hugepage_limits[0].page_size "), e.getMessage());
    }

    @Test
    void withoutKnowingTheNodeOnlyTheSyntaxOfCpusetsIsChecked() {
        ResourceValidator unknownNode = new ResourceValidator(null, null);
        assertDoesNotThrow(() -> unknownNode.validate(LinuxContainerResources.newBuilder().setCpusetCpus("64")
                .build(), "res"));
    }
}
