package dev.berth.runtime.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class CpuRateTrackerTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void theRateIsTheUsageBetweenTwoSamplesOverTheirDistance() {
        CpuRateTracker tracker = new CpuRateTracker();
        assertTrue(tracker.sample("c", 10 * SECOND, 0).isEmpty(), "one sample has no rate");
        // 1.5 s of CPU over 2 s: three quarters of a core.
        assertEquals(OptionalLong.of(750_000_000L), tracker.sample("c", 12 * SECOND, 1_500_000_000L));
    }

    @Test
    void aSampleTooCloseToTheKeptOneGetsTheLastRateAndDoesNotReplaceIt() {
        CpuRateTracker tracker = new CpuRateTracker();
        tracker.sample("c", 10 * SECOND, 0);
        assertTrue(tracker.sample("c", 10 * SECOND + 1000, 5).isEmpty());
        assertEquals(OptionalLong.of(SECOND / 2), tracker.sample("c", 12 * SECOND, SECOND));
        assertEquals(OptionalLong.of(SECOND / 2), tracker.sample("c", 12 * SECOND + 100, SECOND + 100));
        // The window still starts at 12 s, not at the close sample.
        assertEquals(OptionalLong.of(SECOND / 4), tracker.sample("c", 14 * SECOND, SECOND + SECOND / 2));
    }

    @Test
    void aCounterGoingBackStartsOver() {
        CpuRateTracker tracker = new CpuRateTracker();
        tracker.sample("c", 10 * SECOND, 5 * SECOND);
        assertTrue(tracker.sample("c", 12 * SECOND, SECOND).isEmpty(), "a new cgroup under the same key");
        assertEquals(OptionalLong.of(SECOND), tracker.sample("c", 13 * SECOND, 2 * SECOND));
    }

    @Test
    void keysAreIndependentAndIdleOnesAreDropped() {
        CpuRateTracker tracker = new CpuRateTracker();
        tracker.sample("a", 10 * SECOND, 0);
        tracker.sample("b", 10 * SECOND, 0);
        assertEquals(OptionalLong.of(SECOND), tracker.sample("a", 11 * SECOND, SECOND));
        tracker.forget("b");
        assertEquals(1, tracker.size());
        tracker.sample("c", 10 * SECOND + CpuRateTracker.IDLE_NANOS + 2 * SECOND, 0);
        assertEquals(1, tracker.size(), "a, idle for longer than the limit, is gone");
    }
}
