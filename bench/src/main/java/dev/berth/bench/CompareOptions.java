package dev.berth.bench;

import dev.berth.bench.scenario.Settings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Command line of {@link CompareMain}: which scenarios, iteration counts, where berth's repository is, which
 * runtimes, and where the report goes.
 */
record CompareOptions(Set<Choice> scenarios, Settings settings, Path repository, List<String> runtimes,
                      Optional<Path> out, Optional<Path> logs, Network network, String berthLogLevel) {

    enum Choice {
        PULL, POD, CONTAINER, FLOOR, CNIFLOOR, EXEC, PORTFORWARD, PIDMODES, BURST, OVERHEAD, REPULL, STATUSLOOP
    }

    /** "all": every comparison; the status loop is a diagnostic, asked for by name. */
    private static final Set<Choice> EVERY_COMPARISON = EnumSet.complementOf(EnumSet.of(Choice.STATUSLOOP));

    /**
     * The pod network under test: BUILTIN is berth's built-in bridge next to containerd's CNI bridge conflist; CHAIN
     * puts both runtimes on the same standard CNI conflist (bridge + host-local + portmap), each on its own bridge.
     */
    enum Network { BUILTIN, CHAIN }

    static final String USAGE = """
            usage: CompareMain [pull] [pod] [container] [floor] [cnifloor] [exec] [portforward] [pidmodes] [burst]
                               [overhead] [repull] [statusloop] [all] [options]
              --out FILE          also write the Markdown report to FILE
              --iterations N      measured iterations of every scenario but pull (default 20)
              --warmup N          unmeasured iterations first (default 3)
              --pulls N           measured pulls (default 5, after one warm-up pull)
              --repo DIR          berth repository with bin/berth and build/berth.jar (default .)
              --runtimes LIST     comma-separated subset of containerd,berth (default both)
              --logs DIR          keep a copy of each daemon's log in DIR
              --network MODE      builtin (default): berth's built-in bridge, containerd's CNI bridge conflist;
                                  chain: both on the same CNI conflist (bridge + host-local + portmap from
                                  /usr/lib/cni), each on its own bridge and subnet; adds cnifloor
              --berth-log-level L berth's server.log_level (default info; debug logs per-plugin CNI times)""";

    static CompareOptions parse(String[] args) {
        Set<Choice> scenarios = EnumSet.noneOf(Choice.class);
        int iterations = 20;
        int warmup = 3;
        int pulls = 5;
        Path repository = Path.of(".");
        List<String> runtimes = List.of("containerd", "berth");
        Path out = null;
        Path logs = null;
        Network network = Network.BUILTIN;
        String berthLogLevel = "info";
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "all" -> scenarios.addAll(EVERY_COMPARISON);
                case "pull", "pod", "container", "floor", "cnifloor", "exec", "portforward" ->
                        scenarios.add(Choice.valueOf(arg.toUpperCase(Locale.ROOT)));
                case "pidmodes", "burst", "overhead", "repull", "statusloop" ->
                        scenarios.add(Choice.valueOf(arg.toUpperCase(Locale.ROOT)));
                case "--out" -> out = Path.of(value(args, ++i, arg));
                case "--iterations" -> iterations = number(args, ++i, arg);
                case "--warmup" -> warmup = number(args, ++i, arg);
                case "--pulls" -> pulls = number(args, ++i, arg);
                case "--repo" -> repository = Path.of(value(args, ++i, arg));
                case "--runtimes" -> runtimes = runtimes(value(args, ++i, arg));
                case "--logs" -> logs = Path.of(value(args, ++i, arg));
                case "--network" -> network = network(value(args, ++i, arg));
                case "--berth-log-level" -> berthLogLevel = logLevel(value(args, ++i, arg));
                default -> throw new IllegalArgumentException("unknown argument: " + arg);
            }
        }
        if (scenarios.isEmpty()) {
            scenarios.addAll(EVERY_COMPARISON);
        }
        if (network == Network.CHAIN) {
            // Times above the plugins' own are the point of the same-chain case.
            scenarios.add(Choice.CNIFLOOR);
        }
        return new CompareOptions(scenarios, new Settings(warmup, iterations, pulls),
                repository.toAbsolutePath().normalize(), runtimes, Optional.ofNullable(out),
                Optional.ofNullable(logs), network, berthLogLevel);
    }

    boolean wants(Choice choice) {
        return scenarios.contains(choice);
    }

    private static Network network(String value) {
        return switch (value) {
            case "builtin" -> Network.BUILTIN;
            case "chain" -> Network.CHAIN;
            default -> throw new IllegalArgumentException("unknown network: " + value + " (builtin or chain)");
        };
    }

    private static String logLevel(String value) {
        if (!List.of("error", "warn", "info", "debug", "trace").contains(value)) {
            throw new IllegalArgumentException("unknown log level: " + value + " (error, warn, info, debug, trace)");
        }
        return value;
    }

    private static List<String> runtimes(String list) {
        Set<String> chosen = new LinkedHashSet<>();
        for (String name : list.split(",")) {
            String trimmed = name.strip();
            if (!trimmed.equals("containerd") && !trimmed.equals("berth")) {
                throw new IllegalArgumentException("unknown runtime: " + trimmed);
            }
            chosen.add(trimmed);
        }
        return new ArrayList<>(chosen);
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static int number(String[] args, int index, String option) {
        try {
            return Integer.parseInt(value(args, index, option));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number");
        }
    }
}
