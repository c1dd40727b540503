package dev.berth.runtime.host.cgroup;

/**
 * One sample of a cgroup's usage. {@code memoryLimitBytes} is 0 when unlimited; {@code timestampNanos} is nanoseconds
 * since the Unix epoch, taken when the sample was read.
 */
public record CgroupStats(
        long timestampNanos,
        long cpuUsageNanos,
        long memoryUsageBytes,
        long memoryWorkingSetBytes,
        long memoryRssBytes,
        long memoryLimitBytes,
        long pageFaults,
        long majorPageFaults,
        long pids,
        long oomKills) {

    /** Bytes still available before the limit, or 0 when unlimited (what the CRI MemoryUsage expects). */
    public long memoryAvailableBytes() {
        return memoryLimitBytes == 0 ? 0 : Math.max(0, memoryLimitBytes - memoryWorkingSetBytes);
    }
}
