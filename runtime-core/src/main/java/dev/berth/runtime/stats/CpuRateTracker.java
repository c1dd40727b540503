package dev.berth.runtime.stats;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns cumulative CPU samples into a rate ({@code usage_nano_cores}): keeps the previous sample per key (a container
 * or pod ID) in memory. A sample closer than {@link #MIN_WINDOW_NANOS} to the kept one does not replace it and gets
 * the last computed rate, so two callers polling at once (the kubelet and crictl) do not turn each other's windows
 * into noise. Keys not sampled for {@link #IDLE_NANOS} are dropped.
 */
public final class CpuRateTracker {

    static final long MIN_WINDOW_NANOS = 1_000_000_000L;
    static final long IDLE_NANOS = 10 * 60 * 1_000_000_000L;

    private record Kept(long timestampNanos, long usageNanos, OptionalLong nanoCores) {
    }

    private final Map<String, Kept> kept = new ConcurrentHashMap<>();
    private volatile long lastSweep;

    /**
     * Records a sample and returns the average nano-cores since the kept one; empty for the first sample of a key
     * (or after its counter went backwards: a new cgroup under the same key).
     */
    public OptionalLong sample(String key, long timestampNanos, long usageNanos) {
        sweep(timestampNanos);
        Kept[] result = new Kept[1];
        kept.compute(key, (k, previous) -> {
            Kept next;
            if (previous == null || usageNanos < previous.usageNanos || timestampNanos < previous.timestampNanos) {
                next = new Kept(timestampNanos, usageNanos, OptionalLong.empty());
            } else if (timestampNanos - previous.timestampNanos < MIN_WINDOW_NANOS) {
                next = previous;
            } else {
                double cores = (double) (usageNanos - previous.usageNanos)
                        / (timestampNanos - previous.timestampNanos);
                next = new Kept(timestampNanos, usageNanos, OptionalLong.of(Math.round(cores * 1_000_000_000L)));
            }
            result[0] = next;
            return next;
        });
        return result[0].nanoCores;
    }

    /** Forgets a key (its container or pod is gone). */
    public void forget(String key) {
        kept.remove(key);
    }

    int size() {
        return kept.size();
    }

    private void sweep(long now) {
        if (now - lastSweep < MIN_WINDOW_NANOS * 60) {
            return;
        }
        lastSweep = now;
        kept.entrySet().removeIf(entry -> now - entry.getValue().timestampNanos > IDLE_NANOS);
    }
}
