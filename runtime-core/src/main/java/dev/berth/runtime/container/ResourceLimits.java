package dev.berth.runtime.container;

import java.util.Map;

/**
 * A container's Linux resource settings (CRI LinuxContainerResources); 0 or empty means unspecified.
 *
 * @param hugepageLimits page size ("2MB") to limit in bytes
 * @param unified raw cgroup v2 file to value
 */
public record ResourceLimits(long cpuPeriod, long cpuQuota, long cpuShares, long memoryLimitInBytes,
                             long oomScoreAdj, String cpusetCpus, String cpusetMems,
                             Map<String, Long> hugepageLimits, Map<String, String> unified,
                             long memorySwapLimitInBytes) {

    public static final ResourceLimits NONE = new ResourceLimits(0, 0, 0, 0, 0, "", "", Map.of(), Map.of(), 0);

    public ResourceLimits {
        cpusetCpus = cpusetCpus == null ? "" : cpusetCpus;
        cpusetMems = cpusetMems == null ? "" : cpusetMems;
        hugepageLimits = hugepageLimits == null ? Map.of() : Map.copyOf(hugepageLimits);
        unified = unified == null ? Map.of() : Map.copyOf(unified);
    }
}
