package dev.berth.image.registry;

import java.time.Duration;

/**
 * How often a failed request (connection error, 5xx, 429) is tried again, with exponential backoff.
 *
 * @param attempts       tries in total, at least 1
 * @param initialBackoff pause after the first failure; doubled after each further failure
 * @param maxBackoff     longest pause
 */
public record RetryPolicy(int attempts, Duration initialBackoff, Duration maxBackoff) {

    public static RetryPolicy defaults() {
        return new RetryPolicy(4, Duration.ofMillis(250), Duration.ofSeconds(4));
    }

    /** The pause after failed attempt number {@code attempt} (1-based). */
    public Duration backoff(int attempt) {
        long millis = initialBackoff.toMillis() << Math.min(attempt - 1, 16);
        return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
    }
}
