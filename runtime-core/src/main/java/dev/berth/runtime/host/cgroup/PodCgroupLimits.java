package dev.berth.runtime.host.cgroup;

/**
 * The CPU and memory limits of a pod's own cgroup; 0 means "leave as it is" (for the quota, -1 means unlimited).
 *
 * @param cpuQuota CFS quota in microseconds per period; -1 unlimited
 */
public record PodCgroupLimits(long cpuShares, long cpuQuota, long cpuPeriod, long memoryLimitInBytes) {

    public static final PodCgroupLimits NONE = new PodCgroupLimits(0, 0, 0, 0);

    /** These limits with every unset (0) field taken from {@code current}. */
    public PodCgroupLimits over(PodCgroupLimits current) {
        return new PodCgroupLimits(pick(cpuShares, current.cpuShares), pick(cpuQuota, current.cpuQuota),
                pick(cpuPeriod, current.cpuPeriod), pick(memoryLimitInBytes, current.memoryLimitInBytes));
    }

    private static long pick(long wanted, long current) {
        return wanted != 0 ? wanted : current;
    }
}
