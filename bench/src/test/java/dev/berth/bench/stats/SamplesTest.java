package dev.berth.bench.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class SamplesTest {

    private static final long MS = 1_000_000L;

    @Test
    void medianOfAnOddCountIsTheMiddleValue() {
        Samples samples = new Samples(List.of(30 * MS, 10 * MS, 20 * MS));
        assertEquals(20.0, samples.p50Millis(), 1e-9);
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        Samples samples = new Samples(List.of(40 * MS, 10 * MS, 20 * MS, 30 * MS));
        assertEquals(25.0, samples.p50Millis(), 1e-9);
    }

    @Test
    void p90IsTheNearestRank() {
        List<Long> values = new java.util.ArrayList<>();
        for (long i = 1; i <= 20; i++) {
            values.add(i * MS);
        }
        Samples samples = new Samples(values);
        assertEquals(18.0, samples.p90Millis(), 1e-9);
        assertEquals(10.5, samples.meanMillis(), 1e-9);
        assertEquals(1.0, samples.minMillis(), 1e-9);
        assertEquals(20.0, samples.maxMillis(), 1e-9);
    }

    @Test
    void noSamplesIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> new Samples(List.of()));
    }

    @Test
    void warmUpIterationsAreNotRecorded() {
        Recorder recorder = new Recorder();
        recorder.time("step", () -> 1);
        recorder.recording(true);
        recorder.time("step", () -> 2);
        assertEquals(1, recorder.results().get("step").count());
    }

    @Test
    void aFailingCallNamesItsStep() {
        Recorder recorder = new Recorder();
        StepException e = assertThrows(StepException.class, () -> recorder.time("RunPodSandbox", () -> {
            throw new IllegalStateException("boom");
        }));
        assertEquals("RunPodSandbox", e.step());
    }
}
