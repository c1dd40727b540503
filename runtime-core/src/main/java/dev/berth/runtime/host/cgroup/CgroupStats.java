package dev.berth.runtime.host.cgroup;

import java.util.Optional;

/**
 * One sample of a cgroup's usage. {@code memoryLimitBytes} is 0 when unlimited; {@code timestampNanos} is nanoseconds
 * since the Unix epoch, taken when the sample was read.
 *
 * @param pids tasks in the cgroup and its children (pids controller), or its processes counted from cgroup.procs
 * @param swap swap usage where the host accounts it (v1 {@code memory.memsw.*}, v2 {@code memory.swap.*})
 * @param pressure PSI where the host has pressure files for the cgroup
 * @param io block-device bytes where the host accounts them (v1 blkio, v2 io.stat)
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
        long oomKills,
        Optional<SwapStats> swap,
        CgroupPressure pressure,
        Optional<IoBytes> io) {

    public CgroupStats {
        swap = swap == null ? Optional.empty() : swap;
        pressure = pressure == null ? CgroupPressure.NONE : pressure;
        io = io == null ? Optional.empty() : io;
    }

    /** Bytes still available before the limit, or 0 when unlimited (what the CRI MemoryUsage expects). */
    public long memoryAvailableBytes() {
        return memoryLimitBytes == 0 ? 0 : Math.max(0, memoryLimitBytes - memoryWorkingSetBytes);
    }
}
