package dev.berth.bench.stats;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Durations of one step over the measured iterations, in nanoseconds. */
public record Samples(List<Long> nanos) {

    public Samples {
        if (nanos.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        nanos = List.copyOf(nanos);
    }

    public int count() {
        return nanos.size();
    }

    /** Median; the mean of the two middle values for an even count. */
    public double p50Millis() {
        List<Long> sorted = sorted();
        int n = sorted.size();
        double middle = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
        return middle / 1e6;
    }

    /** Nearest-rank 90th percentile. */
    public double p90Millis() {
        List<Long> sorted = sorted();
        int rank = (int) Math.ceil(0.9 * sorted.size());
        return sorted.get(Math.max(0, rank - 1)) / 1e6;
    }

    public double meanMillis() {
        return nanos.stream().mapToLong(Long::longValue).average().orElseThrow() / 1e6;
    }

    public double minMillis() {
        return Collections.min(nanos) / 1e6;
    }

    public double maxMillis() {
        return Collections.max(nanos) / 1e6;
    }

    private List<Long> sorted() {
        List<Long> copy = new ArrayList<>(nanos);
        Collections.sort(copy);
        return copy;
    }
}
