package dev.berth.cri.metrics;

import java.time.Duration;

/** Histogram buckets of berth's latency meters: few, so that a scrape stays small. */
public final class Buckets {

    /** CRI calls: from a sub-millisecond status call to a two-minute pull or stop. */
    static final Duration[] REQUEST = {Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2),
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofSeconds(60), Duration.ofSeconds(120)};

    /** Parts of a sandbox or container create: milliseconds to seconds. */
    static final Duration[] OPERATION = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(30)};

    /** The request buckets, for meters outside this package. */
    public static Duration[] request() {
        return REQUEST.clone();
    }

    private Buckets() {
    }
}
