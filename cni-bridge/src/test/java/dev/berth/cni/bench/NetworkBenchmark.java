package dev.berth.cni.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.berth.cni.NetworkMode;
import dev.berth.cni.PodNetwork;
import dev.berth.cni.PodNetworkConfig;
import dev.berth.cni.PodNetworkRequest;
import dev.berth.cni.testing.DebianChain;
import dev.berth.cni.testing.HostFixture;
import dev.berth.common.exec.Command;
import dev.berth.common.net.PortMapping;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Attach + detach of N pods: built-in network without and with a host port, and Debian's plugin chain; prints p50/p90 of
 * setup and teardown. Not a test: run as root with
 * {@code java -cp <test classpath> dev.berth.cni.bench.NetworkBenchmark [pods]}.
 */
public final class NetworkBenchmark {

    private NetworkBenchmark() {
    }

    public static void main(String[] args) {
        int pods = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        System.out.printf("pods=%d (each: attach, then detach)%n", pods);
        // Most pods publish no host port (the kubelet passes container ports with host_port 0).
        run("builtin", pods, false, false);
        run("builtin+hostport", pods, false, true);
        run("debian-plugins+hostport", pods, true, true);
        inPinningSpawn(pods);
    }

    /**
     * As in RunPodSandbox: the netns does not exist yet and is made by one {@code unshare ... -- ip -batch -} spawn
     * that also runs the network's pod-side lines. The network's share of the setup is that attach minus a bare
     * pinning spawn (the same {@code unshare}, {@code lo} up only), both measured here.
     */
    private static void inPinningSpawn(int pods) {
        try (HostFixture host = new HostFixture()) {
            PodNetworkConfig config = PodNetworkConfig.builder().mode(NetworkMode.BUILTIN)
                    .bridgeName(host.bridgeName("")).subnetV4(HostFixture.randomSubnetV4())
                    .confDir(host.tempDir("conf")).stateDir(host.tempDir("state")).gcGracePeriod(Duration.ZERO)
                    .build();
            host.ownNftTable(config.nftTable());
            PodNetwork network = PodNetwork.open(config);
            host.onClose(network::close);
            double[] pinOnly = new double[pods];
            double[] setup = new double[pods];
            for (int i = -5; i < pods; i++) {
                Path bare = pinnedPath(host, "p" + i);
                long start = System.nanoTime();
                pin(bare, List.of());
                if (i >= 0) {
                    pinOnly[i] = (System.nanoTime() - start) / 1e6;
                }
                String id = HostFixture.sandboxId();
                Path netns = pinnedPath(host, "a" + i);
                start = System.nanoTime();
                network.attach(request(id, netns, 0), commands -> pin(netns, commands));
                if (i >= 0) {
                    setup[i] = (System.nanoTime() - start) / 1e6;
                }
                network.detach(id);
            }
            System.out.printf("%-15s setup p50=%6.1f ms p90=%6.1f ms (bare pinning spawn p50=%6.1f ms: the network's "
                    + "share is %.1f ms)%n", "builtin, netns made by the pinning spawn", percentile(setup, 50),
                    percentile(setup, 90), percentile(pinOnly, 50), percentile(setup, 50) - percentile(pinOnly, 50));
        }
    }

    private static Path pinnedPath(HostFixture host, String suffix) {
        Path path = Path.of("/run/netns", "berthbench-" + host.tag() + "-" + suffix);
        host.onClose(() -> host.deleteNetns(path));
        return path;
    }

    /** What runtime-core's namespace pinning does for a pod's netns (it also pins IPC and UTS). */
    private static void pin(Path file, List<String> commands) {
        try {
            Files.createDirectories(file.getParent());
            Files.createFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String lines = "link set lo up\n" + commands.stream().map(line -> line + "\n").collect(Collectors.joining());
        Command.of("unshare", "--net=" + file, "--", "ip", "-batch", "-").withStdin(lines.getBytes(UTF_8)).check();
    }

    private static void run(String variant, int pods, boolean plugins, boolean hostPort) {
        try (HostFixture host = new HostFixture()) {
            String bridge = host.bridgeName("");
            String subnet = HostFixture.randomSubnetV4();
            Path conf = host.tempDir("conf");
            Path state = host.tempDir("state");
            if (plugins) {
                DebianChain.write(conf, "bench" + host.tag(), bridge, subnet, host.tempDir("host-local"));
                // The bridge and portmap plugins leave shared iptables-nft chains and tables; remove what this
                // run made.
                Set<String> natChains = DebianChain.natChains();
                Set<String> nftTables = DebianChain.nftTables();
                host.onClose(() -> {
                    DebianChain.removeSharedChainsCreatedSince(natChains);
                    DebianChain.removeEmptyNatTablesCreatedSince(nftTables);
                });
            }
            PodNetworkConfig config = PodNetworkConfig.builder()
                    .mode(plugins ? NetworkMode.PLUGIN : NetworkMode.BUILTIN).bridgeName(bridge).subnetV4(subnet)
                    .confDir(conf).binDirs(List.of(DebianChain.BIN_DIR)).stateDir(state)
                    .gcGracePeriod(Duration.ZERO).build();
            host.ownNftTable(config.nftTable());
            PodNetwork network = PodNetwork.open(config);
            host.onClose(network::close);

            List<Path> netns = new ArrayList<>();
            for (int i = 0; i < pods + 5; i++) {
                netns.add(host.netns("b" + i));
            }
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                // warm-up: JIT, page cache, first bridge port
                String id = HostFixture.sandboxId();
                network.attach(request(id, netns.get(pods + i), hostPort ? 30000 + i : 0));
                network.detach(id);
            }
            double[] setup = new double[pods];
            double[] teardown = new double[pods];
            for (int i = 0; i < pods; i++) {
                String id = HostFixture.sandboxId();
                ids.add(id);
                long start = System.nanoTime();
                network.attach(request(id, netns.get(i), hostPort ? 31000 + i : 0));
                setup[i] = (System.nanoTime() - start) / 1e6;
            }
            for (int i = 0; i < pods; i++) {
                long start = System.nanoTime();
                network.detach(ids.get(i));
                teardown[i] = (System.nanoTime() - start) / 1e6;
            }
            long drainStart = System.nanoTime();
            network.close();
            double drain = (System.nanoTime() - drainStart) / 1e6;
            System.out.printf("%-15s setup p50=%6.1f ms p90=%6.1f ms max=%6.1f | teardown p50=%6.1f ms p90=%6.1f ms "
                    + "max=%6.1f | background drain %.0f ms%n", variant, percentile(setup, 50),
                    percentile(setup, 90), max(setup), percentile(teardown, 50), percentile(teardown, 90),
                    max(teardown), drain);
        }
    }

    /** A pod declaring container port 80, published on {@code hostPort} unless it is 0. */
    private static PodNetworkRequest request(String id, Path netns, int hostPort) {
        return PodNetworkRequest.of(id, netns, "bench", "default", "uid")
                .withPortMappings(List.of(PortMapping.tcp(80, hostPort)));
    }

    private static double percentile(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(0);
    }
}
