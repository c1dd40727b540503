package dev.berth.runtime.stats;

import dev.berth.runtime.host.cgroup.CgroupPressure;
import dev.berth.runtime.host.cgroup.CgroupStats;
import dev.berth.runtime.host.cgroup.IoBytes;
import dev.berth.runtime.host.cgroup.SwapStats;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A pod's usage as the sum of its containers' cgroups, for a pod whose cgroup parent is not its own (none given, or
 * shared with other pods): counters and byte counts add up; limits and pressure do not, so they are left unknown.
 */
final class CgroupStatsSum {

    private CgroupStatsSum() {
    }

    static Optional<CgroupStats> of(List<CgroupStats> parts) {
        if (parts.isEmpty()) {
            return Optional.empty();
        }
        long timestamp = 0;
        long cpu = 0;
        long usage = 0;
        long workingSet = 0;
        long rss = 0;
        long faults = 0;
        long majorFaults = 0;
        long pids = 0;
        long ooms = 0;
        long swap = 0;
        boolean anySwap = false;
        Map<String, IoBytes.Device> io = new TreeMap<>();
        boolean anyIo = false;
        for (CgroupStats part : parts) {
            timestamp = Math.max(timestamp, part.timestampNanos());
            cpu += part.cpuUsageNanos();
            usage += part.memoryUsageBytes();
            workingSet += part.memoryWorkingSetBytes();
            rss += part.memoryRssBytes();
            faults += part.pageFaults();
            majorFaults += part.majorPageFaults();
            pids += part.pids();
            ooms += part.oomKills();
            if (part.swap().isPresent()) {
                anySwap = true;
                swap += part.swap().get().usageBytes();
            }
            if (part.io().isPresent()) {
                anyIo = true;
                part.io().get().devices().forEach((device, bytes) -> io.merge(device, bytes,
                        (a, b) -> new IoBytes.Device(a.readBytes() + b.readBytes(), a.writeBytes() + b.writeBytes())));
            }
        }
        return Optional.of(new CgroupStats(timestamp, cpu, usage, workingSet, rss, 0, faults, majorFaults, pids, ooms,
                anySwap ? Optional.of(new SwapStats(swap, 0)) : Optional.empty(), CgroupPressure.NONE,
                anyIo ? Optional.of(new IoBytes(io)) : Optional.empty()));
    }
}
