package dev.berth.bench;

import dev.berth.bench.CompareOptions.Choice;
import dev.berth.bench.cni.CniChain;
import dev.berth.bench.report.MarkdownReport;
import dev.berth.bench.report.ScenarioRun;
import dev.berth.bench.scenario.BurstScenario;
import dev.berth.bench.scenario.CniFloorScenario;
import dev.berth.bench.scenario.ContainerLifecycleScenario;
import dev.berth.bench.scenario.NodeOverheadScenario;
import dev.berth.bench.scenario.PodWithContainerScenario;
import dev.berth.bench.scenario.WarmPullScenario;
import dev.berth.proto.runtime.v1.NamespaceMode;
import dev.berth.bench.scenario.CriScenario;
import dev.berth.bench.scenario.ExecScenario;
import dev.berth.bench.scenario.Outcome;
import dev.berth.bench.scenario.PodLifecycleScenario;
import dev.berth.bench.scenario.PortForwardScenario;
import dev.berth.bench.scenario.PullScenario;
import dev.berth.bench.scenario.RuncFloorScenario;
import dev.berth.bench.scenario.StatusLoopScenario;
import dev.berth.testing.net.IpForwarding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the chosen scenarios against a private containerd and a private berth, one runtime after the other (never
 * both at once: two cores), through the same CRI client code, then prints the comparison as Markdown.
 */
public final class CompareMain {

    private static final Logger LOG = LoggerFactory.getLogger(CompareMain.class);

    private final CompareOptions options;

    private CompareMain(CompareOptions options) {
        this.options = options;
    }

    public static void main(String[] args) {
        CompareOptions options;
        try {
            options = CompareOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(CompareOptions.USAGE);
            System.exit(2);
            return;
        }
        System.exit(new CompareMain(options).run());
    }

    private int run() {
        IpForwarding forwarding = IpForwarding.snapshot();
        List<String> header = new ArrayList<>();
        header.add("run " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + " on " + Runtime.getRuntime()
                .availableProcessors() + " cores, kernel " + System.getProperty("os.version"));
        header.add("iterations: " + options.settings().warmup() + " warm-up + " + options.settings().iterations()
                + " measured (pull: 1 warm-up + " + options.settings().pulls() + " measured)");
        header.add("client: one grpc-java blocking CRI client over the runtime's unix socket, the same code for both"
                + " runtimes; runtimes run one after the other; images come from a local docker-registry over HTTP");
        Map<String, Map<String, Outcome>> results = new LinkedHashMap<>();
        header.add("network: " + (sameChain() ? "same chain: both runtimes on one standard CNI conflist (bridge +"
                + " host-local + portmap from " + CniChain.BIN_DIR + "), each on its own bridge and subnet"
                : "built-in: berth's built-in bridge, containerd's CNI bridge conflist"));
        Optional<Outcome> floor = Optional.empty();
        Optional<Outcome> cniFloor = Optional.empty();
        List<CriScenario> ran = new ArrayList<>();
        try (BenchImages images = BenchImages.push(options.wants(Choice.PULL))) {
            List<CriScenario> scenarios = scenarios(images);
            scenarios.forEach(s -> results.put(s.name(), new LinkedHashMap<>()));
            ran.addAll(scenarios);
            if (!scenarios.isEmpty()) {
                for (String runtime : options.runtimes()) {
                    runAll(runtime, images, scenarios, results, header);
                }
            }
            if (options.wants(Choice.FLOOR)) {
                LOG.info("running the runc floor");
                floor = Optional.of(new RuncFloorScenario(options.settings()).run());
            }
            if (options.wants(Choice.CNIFLOOR)) {
                LOG.info("running the CNI plugin floor");
                cniFloor = Optional.of(new CniFloorScenario(options.settings()).run());
            }
        } finally {
            String restored = forwarding.restore(List.of(ContainerdInstance.BRIDGE, BerthInstance.BRIDGE,
                    BerthInstance.CHAIN_BRIDGE, CniFloorScenario.BRIDGE));
            if (!restored.isEmpty()) {
                LOG.info(restored);
            }
        }
        List<ScenarioRun> runs = new ArrayList<>();
        for (CriScenario scenario : ran) {
            runs.add(new ScenarioRun(scenario.name(), results.get(scenario.name()), scenario.floorSteps()));
        }
        String report = new MarkdownReport(header, runs, floor, cniFloor, sameChain()).render();
        System.out.println(report);
        if (options.out().isPresent()) {
            try {
                Files.writeString(options.out().get(), report, StandardCharsets.UTF_8);
                LOG.info("report written to {}", options.out().get());
            } catch (IOException e) {
                LOG.error("cannot write {}: {}", options.out().get(), e.getMessage());
                return 1;
            }
        }
        return 0;
    }

    private List<CriScenario> scenarios(BenchImages images) {
        List<CriScenario> scenarios = new ArrayList<>();
        if (options.wants(Choice.PULL)) {
            scenarios.add(new PullScenario(images.large().orElseThrow(), options.settings()));
        }
        if (options.wants(Choice.POD)) {
            scenarios.add(new PodLifecycleScenario(options.settings()));
        }
        if (options.wants(Choice.CONTAINER)) {
            scenarios.add(new ContainerLifecycleScenario(images.busybox(), options.settings()));
        }
        if (options.wants(Choice.EXEC)) {
            scenarios.add(new ExecScenario(images.busybox(), options.settings()));
        }
        if (options.wants(Choice.PORTFORWARD)) {
            scenarios.add(new PortForwardScenario(images.busybox(), options.settings()));
        }
        if (options.wants(Choice.PIDMODES)) {
            scenarios.add(new PodWithContainerScenario(images.busybox(), options.settings(), NamespaceMode.CONTAINER));
            scenarios.add(new PodWithContainerScenario(images.busybox(), options.settings(), NamespaceMode.POD));
        }
        if (options.wants(Choice.BURST)) {
            scenarios.add(new BurstScenario(images.busybox(), options.settings()));
        }
        if (options.wants(Choice.REPULL)) {
            scenarios.add(new WarmPullScenario(images.busybox(), options.settings()));
        }
        if (options.wants(Choice.STATUSLOOP)) {
            scenarios.add(new StatusLoopScenario(images.busybox(), options.settings()));
        }
        if (options.wants(Choice.OVERHEAD)) {
            scenarios.add(new NodeOverheadScenario(images.busybox()));
        }
        return scenarios;
    }

    /** Starts one runtime, runs every scenario on it, stops it; a runtime that cannot start fails every row. */
    private void runAll(String runtime, BenchImages images, List<CriScenario> scenarios,
                        Map<String, Map<String, Outcome>> results, List<String> header) {
        RuntimeUnderTest instance;
        try {
            instance = start(runtime, images);
        } catch (RuntimeException e) {
            LOG.error("{} did not start", runtime, e);
            header.add(runtime + ": did not start: " + e.getMessage().lines().findFirst().orElse(""));
            scenarios.forEach(s -> results.get(s.name()).put(runtime, new Outcome.Failed("start",
                    e.getMessage().lines().findFirst().orElse(""))));
            return;
        }
        try (instance) {
            header.add(runtime + ": " + instance.describe());
            for (CriScenario scenario : scenarios) {
                LOG.info("running {} on {}", scenario.name(), runtime);
                Outcome outcome = scenario.run(instance);
                LOG.info("{} on {}: {}", scenario.name(), runtime, summary(outcome));
                results.get(scenario.name()).put(runtime, outcome);
            }
        }
    }

    private RuntimeUnderTest start(String runtime, BenchImages images) {
        if (runtime.equals(MarkdownReport.CONTAINERD)) {
            return ContainerdInstance.start(images.registryAddress(), images.pause().reference(), options.logs());
        }
        return BerthInstance.start(options.repository(), images.registryAddress(), options.logs(), sameChain(),
                options.berthLogLevel());
    }

    private boolean sameChain() {
        return options.network() == CompareOptions.Network.CHAIN;
    }

    private static String summary(Outcome outcome) {
        if (outcome instanceof Outcome.Measured measured) {
            StringBuilder text = new StringBuilder();
            measured.steps().forEach((step, samples) -> text.append(step).append(" p50=")
                    .append(String.format(java.util.Locale.ROOT, "%.2f", samples.p50Millis())).append("ms "));
            return text.toString().strip();
        }
        return outcome.toString();
    }
}
