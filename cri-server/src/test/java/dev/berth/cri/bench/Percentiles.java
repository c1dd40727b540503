package dev.berth.cri.bench;

import java.util.Arrays;

/** Times one action many times after a warm-up and reports p50 / p99 / max in milliseconds. */
final class Percentiles {

    private Percentiles() {
    }

    static String measure(String what, int warmup, int runs, Runnable action) {
        for (int i = 0; i < warmup; i++) {
            action.run();
        }
        long[] nanos = new long[runs];
        for (int i = 0; i < runs; i++) {
            long started = System.nanoTime();
            action.run();
            nanos[i] = System.nanoTime() - started;
        }
        Arrays.sort(nanos);
        return String.format("%s runs=%d p50_ms=%.3f p99_ms=%.3f max_ms=%.3f", what, runs,
                nanos[runs / 2] / 1e6, nanos[(int) Math.ceil(runs * 0.99) - 1] / 1e6, nanos[runs - 1] / 1e6);
    }
}
