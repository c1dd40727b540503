package dev.berth.bench.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.bench.scenario.Outcome;
import dev.berth.bench.stats.Samples;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MarkdownReportTest {

    private static final long MS = 1_000_000L;

    @Test
    void ratioIsBerthOverContainerdAndFloorSitsNextToItsStep() {
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        outcomes.put("containerd", measured("Create+Start", 200));
        outcomes.put("berth", measured("Create+Start", 100));
        ScenarioRun run = new ScenarioRun("container lifecycle", outcomes, Map.of("Create+Start", "runc create+start"));
        String report = new MarkdownReport(List.of("host"), List.of(run),
                Optional.of(measured("runc create+start", 50))).render();
        assertTrue(report.contains("| container lifecycle | Create+Start | 100 | 200 | 0.50× | 50.0 (runc create+start) |"),
                report);
    }

    @Test
    void unimplementedAndFailedRowsSayWhich() {
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        outcomes.put("containerd", measured("PullImage", 2500));
        outcomes.put("berth", new Outcome.Unimplemented("PullImage"));
        ScenarioRun pull = new ScenarioRun("pull", outcomes, Map.of());
        Map<String, Outcome> failed = new LinkedHashMap<>();
        failed.put("containerd", new Outcome.Failed("RunPodSandbox", "UNKNOWN: runc"));
        ScenarioRun pod = new ScenarioRun("pod lifecycle", failed, Map.of());
        String report = new MarkdownReport(List.of(), List.of(pull, pod), Optional.empty()).render();
        assertTrue(report.contains("| pull | PullImage | unimplemented (PullImage) | 2500 | — |"), report);
        assertTrue(report.contains("| pod lifecycle | — | not run | failed (RunPodSandbox) | — |"), report);
        assertTrue(report.contains("containerd / pod lifecycle: failed at RunPodSandbox: UNKNOWN: runc"), report);
    }

    @Test
    void theSameChainShowsEachRuntimeAboveItsPluginFloorAndTheGoals() {
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        outcomes.put("containerd", measured(Map.of("RunPodSandbox", 100L, "StopPodSandbox", 50L)));
        outcomes.put("berth", measured(Map.of("RunPodSandbox", 40L, "StopPodSandbox", 30L)));
        ScenarioRun run = new ScenarioRun("pod+container, pid POD", outcomes, Map.of());
        Outcome floor = measured(Map.of("loopback ADD", 2L, "chain ADD", 25L, "chain DEL", 15L,
                "loopback DEL", 1L));
        String report = new MarkdownReport(List.of(), List.of(run), Optional.empty(), Optional.of(floor), true)
                .render();
        // berth: chain only; containerd: chain + loopback.
        assertTrue(report.contains("| pod+container, pid POD | RunPodSandbox | 40.0 | 25.0 | 15.0 | 100 | 27.0 | 73.0 "
                + "| 0.40× |"), report);
        assertTrue(report.contains("| pod+container, pid POD | StopPodSandbox | 30.0 | 15.0 | 15.0 | 50.0 | 16.0 "
                + "| 34.0 | 0.60× |"), report);
        assertTrue(report.contains("| chain ADD | 25.0 | 25.0 |"), report);
        assertTrue(report.contains("| pod+container, pid POD | RunPodSandbox | ratio ≤ 0.5× | 0.40× | yes |"), report);
        assertTrue(report.contains("| pod+container, pid POD | StopPodSandbox | ratio ≤ 0.4× | 0.60× | no |"), report);
        assertTrue(report.contains("| pod+container, pid POD | RunPodSandbox | berth ≤ 10.0 ms above floor | 15.0 ms "
                + "| no |"), report);
        assertTrue(report.contains("| plugins | CNI plugin floor | chain ADD | 1 | 25.0 |"), report);
        assertFalse(report.contains("pid CONTAINER"), "goals of scenarios that did not run are left out");
    }

    @Test
    void theBuiltinNetworkHasNoGoalsAndSaysBerthWasNotOnTheChain() {
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        outcomes.put("berth", measured(Map.of("RunPodSandbox", 40L)));
        ScenarioRun run = new ScenarioRun("pod+container, pid POD", outcomes, Map.of());
        String report = new MarkdownReport(List.of(), List.of(run), Optional.empty(),
                Optional.of(measured(Map.of("chain ADD", 25L))), false).render();
        assertTrue(report.contains("did not put berth on the chain"), report);
        assertFalse(report.contains("### Goals"), report);
        assertTrue(report.contains("| pod+container, pid POD | RunPodSandbox | 40.0 | 25.0 | 15.0 | — | — | — | — |"),
                report);
    }

    private static Outcome measured(Map<String, Long> millisByStep) {
        Map<String, Samples> steps = new LinkedHashMap<>();
        millisByStep.forEach((step, millis) -> steps.put(step, new Samples(List.of(millis * MS))));
        return new Outcome.Measured(steps, List.of());
    }

    private static Outcome measured(String step, long millis) {
        return new Outcome.Measured(Map.of(step, new Samples(List.of(millis * MS))), List.of());
    }
}
