package dev.berth.cri.metrics;

import java.util.function.Supplier;

/**
 * Holds a value computed for one scrape, so that the gauges of one family (one per state) share one pass over a
 * registry. A value older than {@link #MAX_AGE_NANOS} is computed again: scrapes are seconds apart.
 */
final class ScrapeCache<T> {

    static final long MAX_AGE_NANOS = 10_000_000L;

    private final Supplier<T> compute;
    private T value;
    private long computedAt;

    ScrapeCache(Supplier<T> compute) {
        this.compute = compute;
    }

    synchronized T get() {
        long now = System.nanoTime();
        if (value == null || now - computedAt > MAX_AGE_NANOS) {
            value = compute.get();
            computedAt = now;
        }
        return value;
    }
}
