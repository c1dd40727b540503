package dev.berth.bench.report;

import dev.berth.bench.scenario.CniFloorScenario;
import dev.berth.bench.scenario.Outcome;
import dev.berth.bench.stats.Samples;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The report's CNI plugin floor part: the bare plugins' ADD and DEL times, each runtime's RunPodSandbox and
 * StopPodSandbox next to the floor that runtime stands on and how far above it, and, on the same chain, issue #14's
 * goals with whether this run meets them. berth's floor is the chain alone (it brings {@code lo} up itself);
 * containerd's adds the loopback plugin it runs for every pod. A floor is a sum of per-step medians.
 */
final class PluginFloorSection {

    static final String RUN = "RunPodSandbox";
    static final String STOP = "StopPodSandbox";
    private static final List<String> STEPS = List.of(RUN, STOP);

    /** A goal on one scenario's step: a berth/containerd p50 ratio, or berth's milliseconds above its floor. */
    record Goal(String scenario, String step, boolean aboveFloor, double limit) {
    }

    static final List<Goal> GOALS = List.of(
            new Goal("pod+container, pid POD", RUN, false, 0.5),
            new Goal("pod+container, pid POD", STOP, false, 0.4),
            new Goal("pod+container, pid CONTAINER", RUN, false, 0.3),
            new Goal("pod+container, pid CONTAINER", STOP, false, 0.3),
            new Goal("pod+container, pid POD", RUN, true, 10),
            new Goal("pod+container, pid POD", STOP, true, 10),
            new Goal("pod+container, pid CONTAINER", RUN, true, 10),
            new Goal("pod+container, pid CONTAINER", STOP, true, 10));

    private final Outcome floor;
    private final boolean sameChain;
    private final List<ScenarioRun> runs;

    PluginFloorSection(Outcome floor, boolean sameChain, List<ScenarioRun> runs) {
        this.floor = floor;
        this.sameChain = sameChain;
        this.runs = runs;
    }

    void render(StringBuilder out) {
        out.append("\n## Above the CNI plugin floor\n\n");
        out.append("The plugin floor is the bench's chain (bridge + host-local + portmap, Debian's plugins) run bare: "
                + "each plugin executed with CNI_COMMAND=ADD/DEL and its config, as a CNI runtime does, into a fresh "
                + "network namespace. berth's floor = chain; containerd's = chain + the loopback plugin it also runs. "
                + "above = runtime p50 - floor (sum of step p50s).");
        if (!sameChain) {
            out.append(" **This run did not put berth on the chain** (built-in bridge): berth's rows compare "
                    + "different work.");
        }
        out.append("\n\n| floor step | p50 | p90 |\n|---|---:|---:|\n");
        if (floor instanceof Outcome.Measured measured) {
            measured.steps().forEach((step, s) -> out.append("| ").append(step).append(" | ")
                    .append(MarkdownReport.ms(s.p50Millis())).append(" | ").append(MarkdownReport.ms(s.p90Millis()))
                    .append(" |\n"));
        } else {
            out.append("| — | ").append(floor).append(" | |\n");
            return;
        }
        out.append("\n| scenario | step | berth p50 | berth floor | berth above | containerd p50 | containerd floor "
                + "| containerd above | ratio |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (ScenarioRun run : runs) {
            for (String step : STEPS) {
                Optional<Samples> berth = samples(run.outcome(MarkdownReport.BERTH), step);
                Optional<Samples> containerd = samples(run.outcome(MarkdownReport.CONTAINERD), step);
                if (berth.isEmpty() && containerd.isEmpty()) {
                    continue;
                }
                OptionalDouble berthFloor = floorMillis(MarkdownReport.BERTH, step);
                OptionalDouble ctrFloor = floorMillis(MarkdownReport.CONTAINERD, step);
                out.append("| ").append(run.scenario()).append(" | ").append(step)
                        .append(" | ").append(p50(berth)).append(" | ").append(ms(berthFloor))
                        .append(" | ").append(above(berth, berthFloor))
                        .append(" | ").append(p50(containerd)).append(" | ").append(ms(ctrFloor))
                        .append(" | ").append(above(containerd, ctrFloor))
                        .append(" | ").append(MarkdownReport.ratio(berth, containerd)).append(" |\n");
            }
        }
        if (sameChain) {
            goals(out);
        }
    }

    private void goals(StringBuilder out) {
        out.append("\n### Goals (issue #14, same chain)\n\n| scenario | step | goal | measured | met |\n"
                + "|---|---|---|---:|---|\n");
        for (Goal goal : GOALS) {
            Optional<ScenarioRun> run = runs.stream().filter(r -> r.scenario().equals(goal.scenario())).findFirst();
            if (run.isEmpty()) {
                continue;
            }
            Optional<Samples> berth = samples(run.get().outcome(MarkdownReport.BERTH), goal.step());
            OptionalDouble measured;
            String wanted;
            if (goal.aboveFloor()) {
                OptionalDouble f = floorMillis(MarkdownReport.BERTH, goal.step());
                measured = berth.isPresent() && f.isPresent()
                        ? OptionalDouble.of(berth.get().p50Millis() - f.getAsDouble()) : OptionalDouble.empty();
                wanted = "berth ≤ " + MarkdownReport.ms(goal.limit()) + " ms above floor";
            } else {
                Optional<Samples> containerd = samples(run.get().outcome(MarkdownReport.CONTAINERD), goal.step());
                measured = berth.isPresent() && containerd.isPresent() && containerd.get().p50Millis() > 0
                        ? OptionalDouble.of(berth.get().p50Millis() / containerd.get().p50Millis())
                        : OptionalDouble.empty();
                wanted = "ratio ≤ " + String.format(Locale.ROOT, "%.1f×", goal.limit());
            }
            String value = measured.isEmpty() ? "—" : goal.aboveFloor() ? MarkdownReport.ms(measured.getAsDouble())
                    + " ms" : String.format(Locale.ROOT, "%.2f×", measured.getAsDouble());
            String met = measured.isEmpty() ? "—" : measured.getAsDouble() <= goal.limit() ? "yes" : "no";
            out.append("| ").append(goal.scenario()).append(" | ").append(goal.step()).append(" | ").append(wanted)
                    .append(" | ").append(value).append(" | ").append(met).append(" |\n");
        }
    }

    /** The floor under {@code step} for {@code runtime}; empty when a floor step it needs was not measured. */
    OptionalDouble floorMillis(String runtime, String step) {
        List<String> parts = switch (step) {
            case RUN -> runtime.equals(MarkdownReport.CONTAINERD)
                    ? List.of(CniFloorScenario.LOOPBACK_ADD, CniFloorScenario.CHAIN_ADD)
                    : List.of(CniFloorScenario.CHAIN_ADD);
            case STOP -> runtime.equals(MarkdownReport.CONTAINERD)
                    ? List.of(CniFloorScenario.CHAIN_DEL, CniFloorScenario.LOOPBACK_DEL)
                    : List.of(CniFloorScenario.CHAIN_DEL);
            default -> List.of();
        };
        if (parts.isEmpty() || !(floor instanceof Outcome.Measured measured)) {
            return OptionalDouble.empty();
        }
        double sum = 0;
        for (String part : parts) {
            Samples s = measured.steps().get(part);
            if (s == null) {
                return OptionalDouble.empty();
            }
            sum += s.p50Millis();
        }
        return OptionalDouble.of(sum);
    }

    private static Optional<Samples> samples(Optional<Outcome> outcome, String step) {
        return outcome.filter(Outcome.Measured.class::isInstance).map(Outcome.Measured.class::cast)
                .map(m -> m.steps().get(step));
    }

    private static String p50(Optional<Samples> samples) {
        return samples.map(s -> MarkdownReport.ms(s.p50Millis())).orElse("—");
    }

    private static String ms(OptionalDouble millis) {
        return millis.isPresent() ? MarkdownReport.ms(millis.getAsDouble()) : "—";
    }

    private static String above(Optional<Samples> samples, OptionalDouble floorMillis) {
        if (samples.isEmpty() || floorMillis.isEmpty()) {
            return "—";
        }
        return MarkdownReport.ms(samples.get().p50Millis() - floorMillis.getAsDouble());
    }
}
