package dev.berth.cri.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.exec.Command;
import dev.berth.cri.crash.DaemonUnderTest;
import dev.berth.cri.crash.HostInventory;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.testing.cri.CriClient;
import dev.berth.testing.image.BusyboxImages;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Soak: P workers churn pods (see {@link SoakWorker}) for T seconds, the first half on the built-in network (with host
 * ports) and the second half on Debian's CNI plugins (bridge + host-local + portmap, a subnet of its own). After each
 * half, with the daemon idle: nothing held on the host for any pod (mounts, pins, state files, veths, nftables rules,
 * IPAM and attachment files, cgroups, conmon and container processes), no iptables or nftables rule naming a pod,
 * no zombie, no more open descriptors than after the warm-up, resident memory within 10% of the warm-up's. The suite
 * runs 2 workers for 60 s; {@code deploy/soak.sh} runs more ({@code -Dberth.soak.workers},
 * {@code -Dberth.soak.seconds}).
 */
@Tag("host")
class SoakTest {

    private TestRegistry registry;
    private DaemonUnderTest daemon;
    private final String cniBridge = "bs" + Long.toHexString(ThreadLocalRandom.current().nextLong(0x10000000L,
            0xffffffffL));
    private final String cniSubnet = "10." + ThreadLocalRandom.current().nextInt(200, 250) + "."
            + ThreadLocalRandom.current().nextInt(0, 256) + ".0/24";

    /** Whether iptables' nat table was there before: the CNI portmap plugin makes it through iptables-nft. */
    private boolean natTableExisted;

    @BeforeEach
    void setUp() throws Exception {
        natTableExisted = Command.of("nft", "list", "table", "ip", "nat").run().succeeded();
        registry = TestRegistry.start();
        daemon = new DaemonUnderTest(registry.address(), "");
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            daemon.removeAllPodsAndCheckNothingLeft();
        } finally {
            Command.of("ip", "link", "del", cniBridge).run();
            removeEmptyNatTableWeCaused();
            daemon.close();
            registry.close();
        }
    }

    /** The nat table the CNI chain's iptables made, once no rule is left in it (pod rules are checked above). */
    private void removeEmptyNatTableWeCaused() {
        if (natTableExisted) {
            return;
        }
        var listing = Command.of("nft", "list", "table", "ip", "nat").run();
        if (!listing.succeeded()) {
            return;
        }
        boolean anyRule = listing.stdoutText().lines().map(String::strip)
                .anyMatch(line -> !line.isEmpty() && !line.startsWith("table ") && !line.startsWith("chain ")
                        && !line.startsWith("type ") && !line.equals("}"));
        if (!anyRule) {
            Command.of("nft", "delete", "table", "ip", "nat").run();
        }
    }

    @Test
    void churningPodsLeaksNothing() throws Exception {
        int workers = Integer.getInteger("berth.soak.workers", 2);
        int seconds = Integer.getInteger("berth.soak.seconds", 60);
        PushedImage busybox = BusyboxImages.busybox(registry, "soak/busybox", "v1");
        Latencies latencies = new Latencies();
        Set<String> madeIds = ConcurrentHashMap.newKeySet();

        daemon.start();
        try (CriClient client = daemon.connect()) {
            client.images().pullImage(PullImageRequest.newBuilder()
                    .setImage(ImageSpec.newBuilder().setImage(busybox.reference())).build());
        }
        int builtinPods = churn("builtin", workers, seconds / 2, true, busybox, latencies, madeIds);

        // The second half on a CNI plugin chain: the daemon takes the first conflist in its conf_dir at start.
        Path confDir = daemon.home.resolve("cni-conf");
        Files.createDirectories(confDir);
        Files.writeString(confDir.resolve("10-soak.conflist"), conflist(daemon.home.resolve("cni-ipam")));
        daemon.stop();
        daemon.start();
        int pluginPods = churn("plugin", workers, seconds - seconds / 2, false, busybox, latencies, madeIds);

        System.out.printf("soak: %d workers, %d s, %d pods (%d built-in network, %d CNI plugins), %.2f pods/s, "
                        + "%d containers, 0 leaks%n", workers, seconds, builtinPods + pluginPods, builtinPods,
                pluginPods, (builtinPods + pluginPods) / (double) seconds, madeIds.size() - builtinPods - pluginPods);
        System.out.print(latencies.report());
    }

    /** Warm-up (one pod per worker), then churn for the given time; then the leak checks. Returns pods churned. */
    private int churn(String phase, int workers, int seconds, boolean hostPorts, PushedImage image,
                      Latencies latencies, Set<String> madeIds) throws Exception {
        DaemonProbe probe = new DaemonProbe(daemon.pid());
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        List<CriClient> clients = new ArrayList<>();
        AtomicInteger pods = new AtomicInteger();
        try {
            List<SoakWorker> soakers = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                CriClient client = daemon.connect();
                clients.add(client);
                soakers.add(new SoakWorker(client, latencies, image.imageId(), daemon.logs, daemon.cgroupParent, w,
                        hostPorts, madeIds));
            }
            runAll(pool, soakers, w -> w.churnOnePod(phase + "-warm"));
            Map<String, Long> heapWarm = probe.liveHeapByClass();
            long rssWarm = probe.rssKib();
            int fdsWarm = probe.openFds();

            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            runAll(pool, soakers, w -> {
                while (System.nanoTime() < deadline) {
                    w.churnOnePod(phase);
                    pods.incrementAndGet();
                }
            });

            Map<String, List<String>> held = HostInventory.of(daemon).byId();
            assertEquals(Map.of(), held, phase + ": held on the host after every pod was removed");
            assertEquals(List.of(), rulesNaming(madeIds), phase + ": iptables or nftables rules naming a pod");
            assertEquals(List.of(), ipamFiles(daemon.home.resolve("cni-ipam")), phase + ": host-local reservations");
            assertEquals(List.of(), probe.zombies(daemon.state.toString()), phase + ": zombies");
            int fds = probe.openFds();
            Map<String, Long> heap = probe.liveHeapByClass();
            long rss = probe.rssKib();
            long liveWarm = heapWarm.values().stream().mapToLong(Long::longValue).sum() / 1024;
            long live = heap.values().stream().mapToLong(Long::longValue).sum() / 1024;
            System.out.printf("soak %s: %d pods, fds %d after warm-up, %d after; RSS %d KiB after warm-up, %d KiB "
                    + "after; live heap %d KiB, %d KiB; grew most: %s%n", phase, pods.get(), fdsWarm, fds, rssWarm,
                    rss, liveWarm, live, DaemonProbe.growth(heapWarm, heap, 5));
            assertTrue(fds <= fdsWarm, phase + ": open descriptors " + fds + " > " + fdsWarm + " after the warm-up");
            assertTrue(rss <= rssWarm * 1.1, phase + ": RSS " + rss + " KiB > 110% of " + rssWarm + " KiB");
            return pods.get();
        } finally {
            pool.shutdownNow();
            clients.forEach(CriClient::close);
        }
    }

    interface Job {
        void run(SoakWorker worker) throws Exception;
    }

    private static void runAll(ExecutorService pool, List<SoakWorker> workers, Job job) throws Exception {
        List<Future<?>> running = new ArrayList<>();
        for (SoakWorker w : workers) {
            running.add(pool.submit(() -> {
                job.run(w);
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
    }

    private static List<String> rulesNaming(Set<String> ids) {
        String rules = Command.of("iptables-save").run().stdoutText() + Command.of("nft", "list", "ruleset").run()
                .stdoutText();
        return rules.lines().filter(line -> ids.stream().anyMatch(line::contains)).toList();
    }

    private static List<String> ipamFiles(Path dataDir) throws Exception {
        if (!Files.isDirectory(dataDir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dataDir)) {
            return walk.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals("lock") && !n.startsWith("last_reserved_ip")).toList();
        }
    }

    private String conflist(Path ipamDir) {
        return """
                {
                  "cniVersion": "1.0.0",
                  "name": "soak",
                  "plugins": [
                    {"type": "bridge", "bridge": "%s", "isGateway": true, "ipMasq": true, "hairpinMode": true,
                     "ipam": {"type": "host-local", "dataDir": "%s", "ranges": [[{"subnet": "%s"}]],
                              "routes": [{"dst": "0.0.0.0/0"}]}},
                    {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true}
                  ]
                }
                """.formatted(cniBridge, ipamDir, cniSubnet);
    }
}
