package dev.berth.bench.report;

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

    private static Outcome measured(String step, long millis) {
        return new Outcome.Measured(Map.of(step, new Samples(List.of(millis * MS))), List.of());
    }
}
