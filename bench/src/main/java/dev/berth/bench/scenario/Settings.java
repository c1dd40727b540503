package dev.berth.bench.scenario;

/**
 * Iteration counts shared by the scenarios.
 *
 * @param warmup      iterations run first and not recorded
 * @param iterations  recorded iterations of every scenario but pull
 * @param pulls       recorded pulls of the pull scenario (one unrecorded warm-up pull comes first)
 */
public record Settings(int warmup, int iterations, int pulls) {

    public Settings {
        if (warmup < 0 || iterations < 1 || pulls < 1) {
            throw new IllegalArgumentException("need warmup >= 0, iterations >= 1, pulls >= 1");
        }
    }
}
