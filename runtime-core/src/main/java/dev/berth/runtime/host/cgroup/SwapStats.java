package dev.berth.runtime.host.cgroup;

/**
 * Swap a cgroup uses. {@code limitBytes} is 0 when swap is not limited.
 */
public record SwapStats(long usageBytes, long limitBytes) {

    /** Swap still available before the limit, or 0 when unlimited (unknown). */
    public long availableBytes() {
        return limitBytes == 0 ? 0 : Math.max(0, limitBytes - usageBytes);
    }
}
