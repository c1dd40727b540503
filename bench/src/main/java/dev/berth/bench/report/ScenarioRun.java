package dev.berth.bench.report;

import dev.berth.bench.scenario.Outcome;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One scenario's outcomes, keyed by runtime label ("berth", "containerd"), and which runc floor step each of its
 * steps corresponds to (empty where the floor says nothing about the step).
 */
public record ScenarioRun(String scenario, Map<String, Outcome> byRuntime, Map<String, String> floorSteps) {

    public ScenarioRun {
        byRuntime = Collections.unmodifiableMap(new LinkedHashMap<>(byRuntime));
        floorSteps = Map.copyOf(floorSteps);
    }

    public Optional<Outcome> outcome(String runtime) {
        return Optional.ofNullable(byRuntime.get(runtime));
    }
}
