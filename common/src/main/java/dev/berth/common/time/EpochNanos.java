package dev.berth.common.time;

import java.time.Clock;
import java.time.Instant;

/** CRI timestamps: nanoseconds since the Unix epoch (System.nanoTime has no epoch). */
public final class EpochNanos {

    private EpochNanos() {
    }

    public static long of(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
    }

    public static long now(Clock clock) {
        return of(clock.instant());
    }

    public static long now() {
        return of(Instant.now());
    }
}
