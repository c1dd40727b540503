package dev.berth.common.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class EpochNanosTest {

    @Test
    void secondsAndNanosSinceTheEpoch() {
        assertEquals(1_700_000_000_123_456_789L, EpochNanos.of(Instant.ofEpochSecond(1_700_000_000L, 123_456_789)));
        assertEquals(0L, EpochNanos.of(Instant.EPOCH));
    }

    @Test
    void readsTheGivenClock() {
        Clock fixed = Clock.fixed(Instant.ofEpochSecond(42, 7), ZoneOffset.UTC);
        assertEquals(42_000_000_007L, EpochNanos.now(fixed));
    }

    @Test
    void instantsBeyondTheLongRangeAreRefused() {
        assertThrows(ArithmeticException.class, () -> EpochNanos.of(Instant.MAX));
    }
}
