package dev.berth.cri.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.exec.Command;
import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.cri.testing.Leftovers;
import dev.berth.proto.runtime.v1.ContainerMetrics;
import dev.berth.proto.runtime.v1.ContainerStats;
import dev.berth.proto.runtime.v1.ContainerStatsFilter;
import dev.berth.proto.runtime.v1.ContainerStatsRequest;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerResources;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.ListContainerStatsRequest;
import dev.berth.proto.runtime.v1.ListMetricDescriptorsRequest;
import dev.berth.proto.runtime.v1.ListPodSandboxMetricsRequest;
import dev.berth.proto.runtime.v1.ListPodSandboxStatsRequest;
import dev.berth.proto.runtime.v1.Metric;
import dev.berth.proto.runtime.v1.MetricDescriptor;
import dev.berth.proto.runtime.v1.NetworkInterfaceUsage;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.PodSandboxMetrics;
import dev.berth.proto.runtime.v1.PodSandboxStats;
import dev.berth.proto.runtime.v1.PodSandboxStatsFilter;
import dev.berth.proto.runtime.v1.PodSandboxStatsRequest;
import dev.berth.proto.runtime.v1.StreamPodSandboxMetricsRequest;
import dev.berth.proto.runtime.v1.StreamPodSandboxStatsRequest;
import dev.berth.testing.registry.TestRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pod and container stats and the CRI metrics, checked against what the kernel reports on this host (cgroup v1
 * hybrid, cgroupfs driver: a container's cgroup is {@code <pod parent>/berth-<id>} in each hierarchy). One pod has
 * a cgroup parent of its own, as the kubelet gives every pod, so its usage is that cgroup's; the other sits in the
 * test's shared parent, so its usage is its containers' sum.
 */
@Tag("host")
class PodStatsTest {

    private static final long MIB = 1024 * 1024;
    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    static final TestRegistry registry = TestRegistry.start();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n");

    static String podParent;
    static TestPod own;
    static TestPod shared;

    @BeforeAll
    static void pullAndRunPods() {
        String image = berth.pullBusybox(registry, "stats/busybox").imageId();
        String uid = UUID.randomUUID().toString();
        podParent = berth.cgroupParent() + "/pod" + uid.replace("-", "");
        own = TestPod.run(berth, image, PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("own").setNamespace("stats").setUid(uid))
                .setHostname("own")
                .putLabels("app", "own")
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(podParent))
                .setLogDirectory(berth.home().resolve("logs").resolve(uid).toString())
                .build());
        shared = TestPod.run(berth, image, "shared", false);
    }

    @AfterAll
    static void removePodsAndCheckLeftovers() {
        if (own != null) {
            own.close();
        }
        if (shared != null) {
            shared.close();
        }
        // The pod's own cgroup parent is the kubelet's to remove, as on a node; runc made it on first use here.
        Leftovers.removeCgroupParent(podParent);
        registry.close();
        berth.stopDaemon();
        berth.assertNothingLeft();
    }

    @Test
    void cpuIsWhatTheCgroupBurnedAndTheRateFollowsTheSamples() throws Exception {
        String busy = own.run(own.container("busy", "sh", "-c", "while :; do :; done"));
        String idle = own.run(own.container("idle"));
        try {
            Path containerCpu = cgroupFile("cpuacct", podParent + "/berth-" + busy, "cpuacct.usage");
            awaitAtLeast(containerCpu, 300_000_000L);

            long before = readLong(containerCpu);
            ContainerStats stats = containerStats(busy);
            long after = readLong(containerCpu);
            long reported = stats.getCpu().getUsageCoreNanoSeconds().getValue();
            assertTrue(before <= reported && reported <= after, before + " <= " + reported + " <= " + after);

            // CPU pressure where the host has it: on this hybrid host, in the cgroup's mirror under unified/.
            Path pressure = cgroupFile("unified", podParent + "/berth-" + busy, "cpu.pressure");
            if (Files.exists(pressure)) {
                long stalledBefore = someTotalMicros(pressure);
                ContainerStats withPsi = containerStats(busy);
                long stalledAfter = someTotalMicros(pressure);
                long stalled = withPsi.getCpu().getPsi().getSome().getTotal() / 1000;
                assertTrue(stalledBefore <= stalled && stalled <= stalledAfter,
                        stalledBefore + " <= " + stalled + " <= " + stalledAfter + " (microseconds)");
            }

            // The pod cgroup holds both containers; the kernel's own counter brackets the pod's.
            Path podCpu = cgroupFile("cpuacct", podParent, "cpuacct.usage");
            long podBefore = readLong(podCpu);
            PodSandboxStats pod = podStats(own.id());
            long podAfter = readLong(podCpu);
            long podReported = pod.getLinux().getCpu().getUsageCoreNanoSeconds().getValue();
            assertTrue(podBefore <= podReported && podReported <= podAfter,
                    podBefore + " <= " + podReported + " <= " + podAfter);
            assertTrue(podReported >= reported, "the pod burned at least what its busy container did");

            // The rate between two samples at least a second apart, with no sample between them.
            ContainerStats first = quietThenSample(busy);
            ContainerStats second = sampleAfter(busy, first, Duration.ofMillis(1100));
            long burned = second.getCpu().getUsageCoreNanoSeconds().getValue()
                    - first.getCpu().getUsageCoreNanoSeconds().getValue();
            long window = second.getCpu().getTimestamp() - first.getCpu().getTimestamp();
            assertTrue(second.getCpu().hasUsageNanoCores(), "a rate once two samples exist: " + second.getCpu());
            long expected = Math.round((double) burned / window * 1e9);
            assertEquals(expected, second.getCpu().getUsageNanoCores().getValue(), expected / 100.0 + 1);
            assertTrue(expected > 50_000_000L, "a busy loop uses more than 5% of a core: " + expected);

            ContainerStats idleFirst = quietThenSample(idle);
            ContainerStats idleSecond = sampleAfter(idle, idleFirst, Duration.ofMillis(1100));
            assertTrue(idleSecond.getCpu().getUsageNanoCores().getValue() < 20_000_000L,
                    "sleep uses (almost) no CPU: " + idleSecond.getCpu());
        } finally {
            own.remove(busy);
            own.remove(idle);
        }
    }

    @Test
    void fiftyMebibytesTouchedShowInTheWorkingSet() throws Exception {
        String hog = own.run(own.container("hog", "sh", "-c",
                "head -c 52428800 /dev/zero > /dev/shm/hog && touch /hog-done && exec sleep 600")
                .setLinux(LinuxContainerConfig.newBuilder().setResources(
                        LinuxContainerResources.newBuilder().setMemoryLimitInBytes(256 * MIB))));
        try {
            awaitTrue("the container wrote 50 MiB", () -> own.execSync(hog, "test", "-e", "/hog-done")
                    .getExitCode() == 0);
            ContainerStats stats = containerStats(hog);
            long workingSet = stats.getMemory().getWorkingSetBytes().getValue();
            assertTrue(workingSet >= 50 * MIB && workingSet < 80 * MIB, "working set " + workingSet);
            long kernelUsage = readLong(cgroupFile("memory", podParent + "/berth-" + hog,
                    "memory.usage_in_bytes"));
            assertTrue(kernelUsage >= 50 * MIB, "the kernel charged the container " + kernelUsage);
            assertTrue(stats.getMemory().getUsageBytes().getValue() >= workingSet);
            assertEquals(256 * MIB - workingSet, stats.getMemory().getAvailableBytes().getValue());
            assertTrue(stats.getMemory().getPageFaults().getValue() > 0);

            PodSandboxStats pod = podStats(own.id());
            assertTrue(pod.getLinux().getMemory().getWorkingSetBytes().getValue() >= 50 * MIB,
                    "pod working set " + pod.getLinux().getMemory());
            long podPids = readLong(cgroupFile("pids", podParent, "pids.current"));
            assertEquals(podPids, pod.getLinux().getProcess().getProcessCount().getValue());
        } finally {
            // The pod's shared /dev/shm outlives the container; its pages would stay charged to it.
            own.execSync(hog, "rm", "-f", "/dev/shm/hog");
            own.remove(hog);
        }
    }

    @Test
    void writableLayerGrowsWithWhatTheContainerWrites() throws Exception {
        String writer = own.run(own.container("writer"));
        try {
            long empty = containerStats(writer).getWritableLayer().getUsedBytes().getValue();
            own.exec(writer, "dd", "if=/dev/zero", "of=/layer-file", "bs=1M", "count=3");
            // Measured in the background: the kept value catches up within its refresh interval.
            ContainerStats grown = awaitStats(writer, s -> s.getWritableLayer().getUsedBytes().getValue()
                    >= empty + 3 * MIB);
            assertTrue(grown.getWritableLayer().getInodesUsed().getValue() >= 1);
            assertTrue(grown.getWritableLayer().getUsedBytes().getValue() < empty + 4 * MIB,
                    grown.getWritableLayer().toString());
        } finally {
            own.remove(writer);
        }
    }

    @Test
    void aMebibyteSentFromThePodShowsInItsTransmitBytes() throws Exception {
        String sender = own.run(own.container("sender"));
        InetAddress gateway = InetAddress.getByName(bridgeAddress());
        try (ServerSocket listener = new ServerSocket(0, 1, gateway)) {
            CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> drainOne(listener));
            NetworkInterfaceUsage before = podStats(own.id()).getLinux().getNetwork().getDefaultInterface();
            assertEquals("eth0", before.getName());
            own.exec(sender, "sh", "-c", "head -c 1048576 /dev/zero | nc " + gateway.getHostAddress() + " "
                    + listener.getLocalPort());
            assertEquals(MIB, received.get(30, TimeUnit.SECONDS));
            NetworkInterfaceUsage after = podStats(own.id()).getLinux().getNetwork().getDefaultInterface();
            long sent = after.getTxBytes().getValue() - before.getTxBytes().getValue();
            // Payload plus TCP/IP headers and the handshake; never less than the payload.
            assertTrue(sent >= MIB && sent < MIB + 256 * 1024, "tx bytes grew by " + sent);
            assertTrue(after.getRxBytes().getValue() > before.getRxBytes().getValue(), "the acks came back");
        } finally {
            own.remove(sender);
        }
    }

    @Test
    void aPodWithNothingRunningStillReportsItsNetwork() {
        PodSandboxStats pod = podStats(shared.id());
        assertEquals("eth0", pod.getLinux().getNetwork().getDefaultInterface().getName());
        assertFalse(pod.getLinux().getNetwork().getInterfacesList().stream().anyMatch(i -> i.getName().equals("lo")));
    }

    @Test
    void filtersSelectPodsAndUnknownPodsAreNotFound() throws Exception {
        assertEquals(List.of(own.id()), listPodStats(PodSandboxStatsFilter.newBuilder()
                .putLabelSelector("app", "own").build()));
        assertEquals(List.of(shared.id()), listPodStats(PodSandboxStatsFilter.newBuilder()
                .setId(shared.id().substring(0, 12)).build()));
        assertEquals(List.of(), listPodStats(PodSandboxStatsFilter.newBuilder()
                .putLabelSelector("app", "nobody").build()));
        assertTrue(listPodStats(PodSandboxStatsFilter.getDefaultInstance()).containsAll(List.of(own.id(),
                shared.id())));
        List<String> streamed = new ArrayList<>();
        berth.client().runtime().streamPodSandboxStats(StreamPodSandboxStatsRequest.newBuilder()
                .setFilter(PodSandboxStatsFilter.newBuilder().putLabelSelector("app", "own")).build())
                .forEachRemaining(page -> page.getPodSandboxStatsList()
                        .forEach(stats -> streamed.add(stats.getAttributes().getId())));
        assertEquals(List.of(own.id()), streamed);
        List<String> metered = new ArrayList<>();
        berth.client().runtime().streamPodSandboxMetrics(StreamPodSandboxMetricsRequest.getDefaultInstance())
                .forEachRemaining(page -> page.getPodSandboxMetricsList()
                        .forEach(metrics -> metered.add(metrics.getPodSandboxId())));
        assertTrue(metered.containsAll(List.of(own.id(), shared.id())), metered.toString());

        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class,
                () -> podStats("0123456789abcdef".repeat(4)));
        assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
        StatusRuntimeException empty = assertThrows(StatusRuntimeException.class, () -> podStats(""));
        assertEquals(Status.Code.INVALID_ARGUMENT, empty.getStatus().getCode());
    }

    @Test
    void aPodInASharedParentIsItsContainersSumAndCreatedContainersAreListed() throws Exception {
        String running = shared.run(shared.container("running"));
        String created = shared.create(shared.container("created"));
        try {
            long kernelPids = readLong(cgroupFile("pids", berth.cgroupParent() + "/berth-" + running,
                    "pids.current"))
                    + readLong(cgroupFile("pids", berth.cgroupParent() + "/berth-" + created, "pids.current"));
            PodSandboxStats pod = podStats(shared.id());
            assertEquals(kernelPids, pod.getLinux().getProcess().getProcessCount().getValue());
            List<String> inPod = pod.getLinux().getContainersList().stream()
                    .map(c -> c.getAttributes().getId()).toList();
            assertTrue(inPod.containsAll(List.of(running, created)), inPod.toString());

            List<String> listed = berth.client().runtime().listContainerStats(ListContainerStatsRequest.newBuilder()
                    .setFilter(ContainerStatsFilter.newBuilder().setPodSandboxId(shared.id())).build())
                    .getStatsList().stream().map(s -> s.getAttributes().getId()).toList();
            assertEquals(List.of(running, created), listed);
        } finally {
            shared.remove(created);
            shared.remove(running);
        }
    }

    @Test
    void metricsUseCadvisorNamesAndLabelsForTheSameSamples() throws Exception {
        String busy = own.run(own.container("metered", "sh", "-c", "while :; do :; done"));
        try {
            Path containerCpu = cgroupFile("cpuacct", podParent + "/berth-" + busy, "cpuacct.usage");
            awaitAtLeast(containerCpu, 1_100_000_000L);

            Map<String, MetricDescriptor> descriptors = berth.client().runtime()
                    .listMetricDescriptors(ListMetricDescriptorsRequest.getDefaultInstance()).getDescriptorsList()
                    .stream().collect(Collectors.toMap(MetricDescriptor::getName, Function.identity()));
            for (String name : List.of("container_cpu_usage_seconds_total", "container_memory_working_set_bytes",
                    "container_memory_usage_bytes", "container_memory_rss", "container_network_receive_bytes_total",
                    "container_network_transmit_bytes_total")) {
                assertTrue(descriptors.containsKey(name), name);
                assertTrue(descriptors.get(name).getLabelKeysList().containsAll(List.of("container", "pod",
                        "namespace")), descriptors.get(name).toString());
            }
            assertTrue(descriptors.get("container_network_transmit_bytes_total").getLabelKeysList()
                    .contains("interface"));

            long before = readLong(containerCpu);
            List<PodSandboxMetrics> all = berth.client().runtime()
                    .listPodSandboxMetrics(ListPodSandboxMetricsRequest.getDefaultInstance()).getPodMetricsList();
            long after = readLong(containerCpu);
            PodSandboxMetrics pod = all.stream().filter(p -> p.getPodSandboxId().equals(own.id())).findFirst()
                    .orElseThrow();
            for (PodSandboxMetrics each : all) {
                each.getMetricsList().forEach(m -> assertDeclared(descriptors, m));
                each.getContainerMetricsList().forEach(c -> c.getMetricsList()
                        .forEach(m -> assertDeclared(descriptors, m)));
            }

            ContainerMetrics container = pod.getContainerMetricsList().stream()
                    .filter(c -> c.getContainerId().equals(busy)).findFirst().orElseThrow();
            Metric cpu = container.getMetricsList().stream()
                    .filter(m -> m.getName().equals("container_cpu_usage_seconds_total")).findFirst().orElseThrow();
            Map<String, String> labels = labels(descriptors, cpu);
            assertEquals("metered", labels.get("container"));
            assertEquals("own", labels.get("pod"));
            assertEquals("stats", labels.get("namespace"));
            long seconds = cpu.getValue().getValue();
            assertTrue(before / 1_000_000_000L <= seconds && seconds <= after / 1_000_000_000L,
                    before + " ns <= " + seconds + " s <= " + after + " ns");

            Metric tx = pod.getMetricsList().stream()
                    .filter(m -> m.getName().equals("container_network_transmit_bytes_total")
                            && labels(descriptors, m).get("interface").equals("eth0")).findFirst().orElseThrow();
            assertEquals("own", labels(descriptors, tx).get("pod"));
        } finally {
            own.remove(busy);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private static void assertDeclared(Map<String, MetricDescriptor> descriptors, Metric metric) {
        MetricDescriptor descriptor = descriptors.get(metric.getName());
        assertTrue(descriptor != null, "undeclared metric " + metric.getName());
        assertEquals(descriptor.getLabelKeysCount(), metric.getLabelValuesCount(), metric.toString());
        assertTrue(metric.getTimestamp() > 0);
    }

    private static Map<String, String> labels(Map<String, MetricDescriptor> descriptors, Metric metric) {
        List<String> keys = descriptors.get(metric.getName()).getLabelKeysList();
        return java.util.stream.IntStream.range(0, keys.size()).boxed()
                .collect(Collectors.toMap(keys::get, metric::getLabelValues));
    }

    private static ContainerStats containerStats(String id) {
        return berth.client().runtime().containerStats(ContainerStatsRequest.newBuilder().setContainerId(id).build())
                .getStats();
    }

    private static PodSandboxStats podStats(String id) {
        return berth.client().runtime().podSandboxStats(PodSandboxStatsRequest.newBuilder().setPodSandboxId(id)
                .build()).getStats();
    }

    private static List<String> listPodStats(PodSandboxStatsFilter filter) {
        return berth.client().runtime().listPodSandboxStats(ListPodSandboxStatsRequest.newBuilder()
                .setFilter(filter).build()).getStatsList().stream().map(s -> s.getAttributes().getId()).toList();
    }

    /** A sample taken at least a second after this container's previous one, so that it becomes the kept one. */
    private static ContainerStats quietThenSample(String id) throws InterruptedException {
        ContainerStats last = containerStats(id);
        return sampleAfter(id, last, Duration.ofMillis(1100));
    }

    /** Waits (without sampling) until {@code gap} passed since {@code previous}, then samples. */
    private static ContainerStats sampleAfter(String id, ContainerStats previous, Duration gap)
            throws InterruptedException {
        long due = previous.getCpu().getTimestamp() + gap.toNanos();
        long nowNanos;
        while ((nowNanos = System.currentTimeMillis() * 1_000_000L) < due) {
            Thread.sleep(Math.max(1, (due - nowNanos) / 1_000_000L));
        }
        return containerStats(id);
    }

    private static ContainerStats awaitStats(String id, java.util.function.Predicate<ContainerStats> wanted)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        ContainerStats stats;
        do {
            stats = containerStats(id);
            if (wanted.test(stats)) {
                return stats;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("stats never matched: " + stats);
    }

    private static void awaitTrue(String what, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(100);
        }
    }

    private static void awaitAtLeast(Path counter, long value) throws Exception {
        awaitTrue(counter + " >= " + value, () -> {
            try {
                return readLong(counter) >= value;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private static Path cgroupFile(String controller, String cgroup, String file) {
        String relative = cgroup.startsWith("/") ? cgroup.substring(1) : cgroup;
        return CGROUP_ROOT.resolve(controller).resolve(relative).resolve(file);
    }

    /** The "some" line's total stall time of a pressure file, in microseconds as the kernel writes it. */
    private static long someTotalMicros(Path pressure) throws IOException {
        String some = Files.readAllLines(pressure).stream().filter(l -> l.startsWith("some ")).findFirst()
                .orElseThrow();
        return Long.parseLong(some.substring(some.indexOf("total=") + "total=".length()).strip());
    }

    private static long readLong(Path file) throws IOException {
        return Long.parseLong(Files.readString(file).strip());
    }

    /** The IPv4 address of the test's bridge, the pods' gateway (the host side of the test network). */
    private static String bridgeAddress() {
        String out = Command.of("ip", "-4", "-o", "addr", "show", "dev", berth.network().bridge()).check()
                .stdoutText();
        String cidr = out.split("\\s+inet\\s+")[1].split("\\s+")[0];
        return cidr.substring(0, cidr.indexOf('/'));
    }

    private static long drainOne(ServerSocket listener) {
        try (Socket socket = listener.accept(); InputStream in = socket.getInputStream()) {
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            int n;
            while (total < MIB && (n = in.read(buffer)) >= 0) {
                total += n;
            }
            return total;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
