package dev.berth.bench.stats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Times the steps of a scenario. Warm-up iterations run the very same calls with recording off, so JIT, caches and
 * first-use paths of both sides are warm before anything counts. Steps keep the order they first ran in.
 */
public final class Recorder {

    private final Map<String, List<Long>> samples = new LinkedHashMap<>();
    private boolean recording;

    public void recording(boolean on) {
        recording = on;
    }

    /** Runs and times {@code call} as {@code step}; a failure is rethrown as a {@link StepException} naming it. */
    public <T> T time(String step, Supplier<T> call) {
        long start = System.nanoTime();
        T result = StepException.wrap(step, call);
        long elapsed = System.nanoTime() - start;
        if (recording) {
            samples.computeIfAbsent(step, k -> new ArrayList<>()).add(elapsed);
        }
        return result;
    }

    /** Records a duration measured elsewhere (e.g. a sum of steps). */
    public void record(String step, long nanos) {
        if (recording) {
            samples.computeIfAbsent(step, k -> new ArrayList<>()).add(nanos);
        }
    }

    public Map<String, Samples> results() {
        Map<String, Samples> out = new LinkedHashMap<>();
        samples.forEach((step, values) -> out.put(step, new Samples(values)));
        return out;
    }
}
