package dev.berth.runtime.container;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.HugepageLimit;
import dev.berth.proto.runtime.v1.LinuxContainerResources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.regex.Pattern;

/**
 * Checks a container's resource request before anything is created or changed, so that a value the kernel would
 * refuse (or silently ignore) is INVALID_ARGUMENT naming the field, instead of the OCI runtime's raw error or a
 * container that runs without the limit. Zero means "unset" for every numeric field, as in the CRI API.
 */
public final class ResourceValidator {

    // The CFS bandwidth limits of the kernel: a period of 1 ms to 1 s, a quota of at least 1 ms and at most
    // 2^44-1 us (the scheduler keeps bandwidth in 44 bits; a larger cfs_quota_us is EINVAL).
    private static final long MIN_CFS_MICROS = 1_000;
    private static final long MAX_CFS_QUOTA_MICROS = (1L << 44) - 1;
    private static final long MAX_CFS_PERIOD_MICROS = 1_000_000;
    private static final long MAX_CPU_SHARES = 262_144;
    private static final Pattern CPU_LIST = Pattern.compile("\\d+(-\\d+)?(,\\d+(-\\d+)?)*");
    private static final Pattern PAGE_SIZE = Pattern.compile("\\d+(KB|MB|GB|TB|PB)");

    private final BitSet onlineCpus;
    private final BitSet onlineMems;

    /** @param onlineCpus CPUs a cpuset may name; null when unknown (then only the syntax is checked) */
    public ResourceValidator(BitSet onlineCpus, BitSet onlineMems) {
        this.onlineCpus = onlineCpus;
        this.onlineMems = onlineMems;
    }

    /** A validator that knows this host's online CPUs and memory nodes. */
    public static ResourceValidator forHost() {
        return new ResourceValidator(readList(Path.of("/sys/devices/system/cpu/online")),
                readList(Path.of("/sys/devices/system/node/online")));
    }

    /** @param field the request's name for the resources message, e.g. {@code config.linux.resources} */
    public void validate(LinuxContainerResources r, String field) {
        nonNegative(r.getMemoryLimitInBytes(), field + ".memory_limit_in_bytes");
        // -1 is the kernel's "no limit" for swap; other negatives mean nothing.
        if (r.getMemorySwapLimitInBytes() < -1) {
            throw invalid(field + ".memory_swap_limit_in_bytes", r.getMemorySwapLimitInBytes(),
                    "must be -1 (unlimited), 0 (unset) or a byte count");
        }
        if (r.getMemorySwapLimitInBytes() > 0 && r.getMemoryLimitInBytes() > 0
                && r.getMemorySwapLimitInBytes() < r.getMemoryLimitInBytes()) {
            throw invalid(field + ".memory_swap_limit_in_bytes", r.getMemorySwapLimitInBytes(),
                    "counts memory plus swap, so it cannot be below memory_limit_in_bytes ("
                            + r.getMemoryLimitInBytes() + ")");
        }
        if (r.getCpuShares() < 0 || r.getCpuShares() > MAX_CPU_SHARES) {
            throw invalid(field + ".cpu_shares", r.getCpuShares(), "must be between 0 (unset) and "
                    + MAX_CPU_SHARES);
        }
        long period = r.getCpuPeriod();
        if (period != 0 && (period < MIN_CFS_MICROS || period > MAX_CFS_PERIOD_MICROS)) {
            throw invalid(field + ".cpu_period", period, "must be 0 (unset) or " + MIN_CFS_MICROS + " to "
                    + MAX_CFS_PERIOD_MICROS + " microseconds");
        }
        long quota = r.getCpuQuota();
        if (quota < -1 || (quota > 0 && quota < MIN_CFS_MICROS) || quota > MAX_CFS_QUOTA_MICROS) {
            throw invalid(field + ".cpu_quota", quota, "must be -1 (unlimited), 0 (unset) or " + MIN_CFS_MICROS
                    + " to " + MAX_CFS_QUOTA_MICROS + " microseconds");
        }
        if (r.getOomScoreAdj() < -1000 || r.getOomScoreAdj() > 1000) {
            throw invalid(field + ".oom_score_adj", r.getOomScoreAdj(), "must be between -1000 and 1000");
        }
        cpuList(r.getCpusetCpus(), onlineCpus, field + ".cpuset_cpus", "CPUs");
        cpuList(r.getCpusetMems(), onlineMems, field + ".cpuset_mems", "memory nodes");
        for (int i = 0; i < r.getHugepageLimitsCount(); i++) {
            HugepageLimit limit = r.getHugepageLimits(i);
            if (!PAGE_SIZE.matcher(limit.getPageSize()).matches()) {
                throw BerthException.invalidArgument(field + ".hugepage_limits[" + i + "].page_size must be a size "
                        + "such as 2MB or 1GB, got \"" + limit.getPageSize() + "\"");
            }
        }
    }

    private static void nonNegative(long value, String field) {
        if (value < 0) {
            throw invalid(field, value, "must not be negative");
        }
    }

    private static void cpuList(String list, BitSet online, String field, String what) {
        if (list.isEmpty()) {
            return;
        }
        if (!CPU_LIST.matcher(list).matches()) {
            throw BerthException.invalidArgument(field + " must be a list such as \"0-3,6\", got \"" + list + "\"");
        }
        BitSet wanted = parseList(list, field);
        if (online != null) {
            BitSet missing = (BitSet) wanted.clone();
            missing.andNot(online);
            if (!missing.isEmpty()) {
                throw BerthException.invalidArgument(field + " \"" + list + "\" names " + what + " this node does "
                        + "not have online: " + missing + " (online: " + online + ")");
            }
        }
    }

    private static BitSet parseList(String list, String field) {
        BitSet set = new BitSet();
        for (String part : list.split(",")) {
            String[] bounds = part.split("-");
            // Longer numbers than any CPU index would overflow the parse; they are out of range anyway.
            if (bounds[0].length() > 5 || (bounds.length > 1 && bounds[1].length() > 5)) {
                throw BerthException.invalidArgument(field + " has an invalid range \"" + part + "\"");
            }
            int from = Integer.parseInt(bounds[0]);
            int to = bounds.length > 1 ? Integer.parseInt(bounds[1]) : from;
            if (from > to || to > 65_535) {
                throw BerthException.invalidArgument(field + " has an invalid range \"" + part + "\"");
            }
            set.set(from, to + 1);
        }
        return set;
    }

    private static BitSet readList(Path file) {
        try {
            return parseList(Files.readString(file).strip(), file.toString());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static BerthException invalid(String field, long value, String rule) {
        return BerthException.invalidArgument(field + " " + rule + ", got " + value);
    }
}
