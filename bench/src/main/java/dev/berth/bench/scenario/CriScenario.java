package dev.berth.bench.scenario;

import dev.berth.bench.RuntimeUnderTest;
import java.util.Map;

/** A timed CRI flow, run with the same code against every runtime. */
public interface CriScenario {

    /** Row label in the report, e.g. "pod lifecycle". */
    String name();

    /** Runs warm-up and measured iterations; never throws for a runtime-side failure, it reports one. */
    Outcome run(RuntimeUnderTest runtime);

    /** Which {@link RuncFloorScenario} step is the bare-runc part of each of this scenario's steps. */
    default Map<String, String> floorSteps() {
        return Map.of();
    }
}
