package dev.berth.cri.bench;

import dev.berth.common.error.BerthException;
import dev.berth.cri.metrics.BerthMeters;
import dev.berth.cri.metrics.Buckets;
import dev.berth.cri.metrics.NetworkMetrics;
import dev.berth.cri.metrics.PullMetrics;
import dev.berth.cri.metrics.RuntimeMetrics;
import dev.berth.cri.metrics.StateMetrics;
import dev.berth.cri.server.MetricsEndpoint;
import dev.berth.runtime.OperationTiming;
import dev.berth.runtime.container.ContainerEvents;
import dev.berth.runtime.container.ContainerRecord;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a /metrics scrape costs the daemon on a node with 300 containers (30 pods of 10): the meters the daemon
 * registers, each family with the series a busy node has (every CRI method, both create operations and their parts,
 * pulls, CNI, exits), the state gauges computed from registries of 300 records, and the JVM meters.
 *
 * <pre>
 * mvn -B -o -q -pl cri-server -am test-compile
 * java -cp "$(cat cri-server/target/bench.classpath):cri-server/target/classes:cri-server/target/test-classes" \
 *     dev.berth.cri.bench.ScrapeBench
 * </pre>
 */
public final class ScrapeBench {

    static final List<String> CRI_METHODS = List.of("Version", "RunPodSandbox", "StopPodSandbox",
            "RemovePodSandbox", "PodSandboxStatus", "ListPodSandbox", "CreateContainer", "StartContainer",
            "StopContainer", "RemoveContainer", "ListContainers", "ContainerStatus", "UpdateContainerResources",
            "ReopenContainerLog", "ExecSync", "Exec", "Attach", "PortForward", "ContainerStats",
            "ListContainerStats", "UpdateRuntimeConfig", "Status", "GetContainerEvents", "ListImages",
            "ImageStatus", "PullImage", "RemoveImage", "ImageFsInfo");

    public static void main(String[] args) throws Exception {
        int containers = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        Path dir = Files.createTempDirectory("berth-scrape-bench-");
        BenchRecords records = BenchRecords.of(dir, containers, 10);
        try (BerthMeters meters = new BerthMeters()) {
            PrometheusMeterRegistry registry = meters.registry();
            for (String method : CRI_METHODS) {
                for (String code : List.of("OK", "NOT_FOUND")) {
                    Timer.builder("berth.cri.request.duration").tag("service", "runtime.v1.RuntimeService")
                            .tag("method", method).tag("code", code).serviceLevelObjectives(Buckets.request())
                            .register(registry).record(3, TimeUnit.MILLISECONDS);
                }
            }
            RuntimeMetrics runtime = new RuntimeMetrics(registry);
            Map<String, Long> sandboxParts = new LinkedHashMap<>();
            sandboxParts.put("namespaces", 4_000_000L);
            sandboxParts.put("network", 30_000_000L);
            sandboxParts.put("files", 1_000_000L);
            sandboxParts.put("pid_holder", 60_000_000L);
            Map<String, Long> containerParts = Map.of("rootfs", 3_000_000L, "spec", 1_000_000L,
                    "oci_create", 50_000_000L);
            for (String handler : List.of("runc", "crun")) {
                runtime.operationTimed(new OperationTiming(OperationTiming.SANDBOX_CREATE, handler, 100_000_000L,
                        sandboxParts));
                runtime.operationTimed(new OperationTiming(OperationTiming.CONTAINER_CREATE, handler, 60_000_000L,
                        containerParts));
                for (String reason : List.of("Completed", "Error", "OOMKilled")) {
                    runtime.containerExited(handler, reason);
                }
            }
            PullMetrics pulls = new PullMetrics(registry);
            pulls.contentPulled(50_000_000L, 10_000_000L);
            for (String reason : List.of("none", "not_found", "unavailable")) {
                try {
                    pulls.record(() -> {
                        if (!reason.equals("none")) {
                            throw new BerthException(BerthException.Kind.valueOf(reason.toUpperCase(
                                    java.util.Locale.ROOT)), "bench");
                        }
                        return null;
                    });
                } catch (RuntimeException expected) {
                    // counted as a failure
                }
            }
            NetworkMetrics network = new NetworkMetrics(registry);
            for (String plugin : List.of("bridge", "host-local", "portmap", "loopback")) {
                for (String command : List.of("ADD", "DEL", "CHECK")) {
                    network.operation(plugin, command, false);
                }
            }
            Map<String, Boolean> monitors = new java.util.concurrent.ConcurrentHashMap<>();
            for (ContainerRecord record : records.containers.all()) {
                monitors.put(record.id(), true);
            }
            StateMetrics.bind(registry, records.sandboxes::all, records.containers::all,
                    () -> (int) monitors.values().stream().filter(b -> b).count(), new ContainerEvents());

            String text = "text/plain; version=0.0.4; charset=utf-8";
            String openMetrics = "application/openmetrics-text; version=1.0.0; charset=utf-8";
            int lines = meters.scrape(text).split("\n").length;
            System.out.println("containers=" + containers + " pods=" + records.sandboxes.all().size()
                    + " scrape_lines=" + lines + " scrape_bytes=" + meters.scrape(text).length());
            System.out.println(Percentiles.measure("scrape text (in process)", 2000, 5000,
                    () -> meters.scrape(text)));
            System.out.println(Percentiles.measure("scrape openmetrics (in process)", 2000, 5000,
                    () -> meters.scrape(openMetrics)));
            try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1:0", meters)) {
                HttpClient client = HttpClient.newHttpClient();
                HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + endpoint.address().getPort() + "/metrics")).build();
                System.out.println(Percentiles.measure("GET /metrics over loopback (client included)", 500, 2000,
                        () -> {
                            try {
                                client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        }));
            }
        } finally {
            dev.berth.common.fs.Trees.deleteRecursively(dir);
        }
    }
}
