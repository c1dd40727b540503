package dev.berth.bench.report;

import dev.berth.bench.scenario.Outcome;
import dev.berth.bench.stats.Samples;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The comparison as Markdown: a summary table (p50 per step, berth/containerd ratio, runc floor), a detail table
 * (p50/p90/mean/min/max per runtime) and the notes each scenario made.
 */
public final class MarkdownReport {

    public static final String BERTH = "berth";
    public static final String CONTAINERD = "containerd";
    private static final List<String> RUNTIMES = List.of(BERTH, CONTAINERD);

    private final List<String> header;
    private final List<ScenarioRun> runs;
    private final Optional<Outcome> floor;
    private final Optional<Outcome> cniFloor;
    private final boolean sameChain;

    public MarkdownReport(List<String> header, List<ScenarioRun> runs, Optional<Outcome> floor) {
        this(header, runs, floor, Optional.empty(), false);
    }

    /**
     * @param header    lines for the top of the report (host, versions, iteration counts)
     * @param floor     the runc floor scenario's outcome, when it ran
     * @param cniFloor  the CNI plugin floor scenario's outcome, when it ran
     * @param sameChain both runtimes ran on the same CNI chain (the floor's shape), so the chain goals apply
     */
    public MarkdownReport(List<String> header, List<ScenarioRun> runs, Optional<Outcome> floor,
                          Optional<Outcome> cniFloor, boolean sameChain) {
        this.header = List.copyOf(header);
        this.runs = List.copyOf(runs);
        this.floor = floor;
        this.cniFloor = cniFloor;
        this.sameChain = sameChain;
    }

    public String render() {
        StringBuilder out = new StringBuilder("# berth vs containerd: CRI benchmark\n\n");
        header.forEach(line -> out.append("- ").append(line).append('\n'));
        out.append("\nTimes are milliseconds per CRI call as the client sees it (p50 = median). "
                + "ratio = berth p50 / containerd p50 (below 1 means berth is faster).\n");
        if (floor.isPresent()) {
            out.append("The runc floor is bare runc on a prepared bundle, spawned from the same JVM; it sits next to the "
                    + "CRI steps that do the same work. containerd runs `runc create` inside StartContainer and berth "
                    + "inside CreateContainer, hence the paired Create+Start and Stop+Remove rows.\n");
        }
        out.append('\n');
        out.append("| scenario | step | berth p50 | containerd p50 | ratio | runc floor p50 |\n");
        out.append("|---|---|---:|---:|---:|---:|\n");
        for (ScenarioRun run : runs) {
            List<String> steps = steps(run.byRuntime().values());
            if (steps.isEmpty()) {
                steps = List.of("—");
            }
            for (String step : steps) {
                Optional<Samples> berth = samples(run.outcome(BERTH), step);
                Optional<Samples> containerd = samples(run.outcome(CONTAINERD), step);
                out.append("| ").append(run.scenario()).append(" | ").append(step)
                        .append(" | ").append(cell(run.outcome(BERTH), berth))
                        .append(" | ").append(cell(run.outcome(CONTAINERD), containerd))
                        .append(" | ").append(ratio(berth, containerd))
                        .append(" | ").append(floorCell(run.floorSteps().get(step)))
                        .append(" |\n");
            }
        }
        floor.ifPresent(outcome -> {
            for (String step : steps(List.of(outcome))) {
                out.append("| runc floor | ").append(step).append(" | | | | ")
                        .append(cell(Optional.of(outcome), samples(Optional.of(outcome), step))).append(" |\n");
            }
            if (!(outcome instanceof Outcome.Measured)) {
                out.append("| runc floor | — | | | | ").append(cell(Optional.of(outcome), Optional.empty()))
                        .append(" |\n");
            }
        });
        cniFloor.ifPresent(outcome -> new PluginFloorSection(outcome, sameChain, runs).render(out));
        out.append("\n## Detail\n\n| runtime | scenario | step | n | p50 | p90 | mean | min | max |\n");
        out.append("|---|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (ScenarioRun run : runs) {
            for (String runtime : RUNTIMES) {
                detail(out, runtime, run.scenario(), run.outcome(runtime));
            }
        }
        floor.ifPresent(outcome -> detail(out, "runc", "runc floor", Optional.of(outcome)));
        cniFloor.ifPresent(outcome -> detail(out, "plugins", "CNI plugin floor", Optional.of(outcome)));
        List<String> notes = notes();
        if (!notes.isEmpty()) {
            out.append("\n## Notes\n\n");
            notes.forEach(note -> out.append("- ").append(note).append('\n'));
        }
        return out.toString();
    }

    private static void detail(StringBuilder out, String runtime, String scenario, Optional<Outcome> outcome) {
        if (outcome.orElse(null) instanceof Outcome.Measured measured) {
            measured.steps().forEach((step, s) -> out.append("| ").append(runtime).append(" | ").append(scenario)
                    .append(" | ").append(step).append(" | ").append(s.count())
                    .append(" | ").append(ms(s.p50Millis())).append(" | ").append(ms(s.p90Millis()))
                    .append(" | ").append(ms(s.meanMillis())).append(" | ").append(ms(s.minMillis()))
                    .append(" | ").append(ms(s.maxMillis())).append(" |\n"));
        }
    }

    private List<String> notes() {
        List<String> notes = new ArrayList<>();
        for (ScenarioRun run : runs) {
            for (String runtime : RUNTIMES) {
                run.outcome(runtime).ifPresent(outcome -> notes.addAll(notesOf(runtime, run.scenario(), outcome)));
            }
        }
        floor.ifPresent(outcome -> notes.addAll(notesOf("runc", "runc floor", outcome)));
        cniFloor.ifPresent(outcome -> notes.addAll(notesOf("plugins", "CNI plugin floor", outcome)));
        return notes;
    }

    private static List<String> notesOf(String runtime, String scenario, Outcome outcome) {
        String prefix = runtime + " / " + scenario + ": ";
        if (outcome instanceof Outcome.Measured m) {
            return m.notes().stream().map(n -> prefix + n).toList();
        }
        if (outcome instanceof Outcome.Unimplemented u) {
            return List.of(prefix + "answers UNIMPLEMENTED for " + u.method());
        }
        Outcome.Failed f = (Outcome.Failed) outcome;
        return List.of(prefix + "failed at " + f.step() + ": " + f.message());
    }

    /** Steps of every measured outcome, in the order they ran. */
    private static List<String> steps(Iterable<Outcome> outcomes) {
        Set<String> steps = new LinkedHashSet<>();
        for (Outcome outcome : outcomes) {
            if (outcome instanceof Outcome.Measured measured) {
                steps.addAll(measured.steps().keySet());
            }
        }
        return new ArrayList<>(steps);
    }

    private static Optional<Samples> samples(Optional<Outcome> outcome, String step) {
        return outcome.filter(Outcome.Measured.class::isInstance).map(Outcome.Measured.class::cast)
                .map(m -> m.steps().get(step));
    }

    private static String cell(Optional<Outcome> outcome, Optional<Samples> samples) {
        if (outcome.isEmpty()) {
            return "not run";
        }
        if (outcome.get() instanceof Outcome.Measured) {
            return samples.map(s -> ms(s.p50Millis())).orElse("—");
        }
        if (outcome.get() instanceof Outcome.Unimplemented u) {
            return "unimplemented (" + u.method() + ")";
        }
        Outcome.Failed f = (Outcome.Failed) outcome.get();
        return "failed (" + (f.step().isEmpty() ? "see notes" : f.step()) + ")";
    }

    private String floorCell(String floorStep) {
        if (floorStep == null) {
            return "";
        }
        return samples(floor, floorStep).map(s -> ms(s.p50Millis()) + " (" + floorStep + ")").orElse("");
    }

    static String ratio(Optional<Samples> berth, Optional<Samples> containerd) {
        if (berth.isEmpty() || containerd.isEmpty() || containerd.get().p50Millis() <= 0) {
            return "—";
        }
        return String.format(Locale.ROOT, "%.2f×", berth.get().p50Millis() / containerd.get().p50Millis());
    }

    static String ms(double millis) {
        String format = millis < 10 ? "%.2f" : millis < 100 ? "%.1f" : "%.0f";
        return String.format(Locale.ROOT, format, millis);
    }
}
