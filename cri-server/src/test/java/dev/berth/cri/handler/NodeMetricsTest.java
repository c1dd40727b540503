package dev.berth.cri.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.exec.Command;
import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.cri.testing.MetricsScrape;
import dev.berth.proto.runtime.v1.ContainerState;
import dev.berth.proto.runtime.v1.ContainerStatus;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerResources;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.testing.image.BusyboxImages;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * /metrics scraped before and after what an operator watches a node for (a pod's life, pulls, an OOM kill): the
 * series that describe it move by exactly what happened, checked against the host where the host can tell.
 */
@Tag("host")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeMetricsTest {

    static final TestRegistry registry = TestRegistry.start();
    static final String CONMON = "/usr/bin/conmon ";

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n");

    @AfterAll
    static void checkLeftovers() {
        registry.close();
        berth.stopDaemon();
        berth.assertNothingLeft();
    }

    private static MetricsScrape scrape() {
        InetSocketAddress address = berth.daemon().metricsAddress().orElseThrow();
        return MetricsScrape.of(address);
    }

    private static PushedImage pull(String repository) {
        return berth.pullBusybox(registry, repository);
    }

    @Test
    void podLifecycleMovesPodContainerOperationExitAndNetworkSeries() throws Exception {
        PushedImage busybox = pull("metrics/lifecycle");
        MetricsScrape before = scrape();
        String containerId;
        MetricsScrape running;
        MetricsScrape exited;
        long monitorsOnHost;
        try (TestPod pod = TestPod.run(berth, busybox.imageId(), "metrics-life", false)) {
            containerId = pod.run(pod.container("short", "sh", "-c", "sleep 3; exit 0"));
            running = scrape();
            // The host's count: the container's conmon (a shared-PID pod's holder is a plain process, not monitored
            // by a conmon).
            monitorsOnHost = conmonsFor(containerId) + conmonsFor(pod.id());
            pod.exec(containerId, "true");
            assertEquals(0, pod.await(containerId, ContainerState.CONTAINER_EXITED).getExitCode());
            exited = scrape();
            pod.remove(containerId);
        }
        MetricsScrape after = scrape();

        assertEquals(1, running.value("berth_pods{state=\"ready\"}") - before.value("berth_pods{state=\"ready\"}"));
        assertEquals(1, running.value("berth_containers{state=\"running\"}")
                - before.value("berth_containers{state=\"running\"}"));
        assertEquals(1, monitorsOnHost);
        assertEquals(monitorsOnHost, running.value("berth_monitor_processes")
                - before.value("berth_monitor_processes"));
        assertEquals(before.value("berth_pods{state=\"ready\"}"), after.value("berth_pods{state=\"ready\"}"));
        assertEquals(before.value("berth_containers{state=\"running\"}"),
                after.value("berth_containers{state=\"running\"}"));
        assertEquals(0, after.value("berth_containers{state=\"exited\"}")
                - before.value("berth_containers{state=\"exited\"}"), "the removed container is gone");
        assertEquals(1, exited.value("berth_containers{state=\"exited\"}")
                - before.value("berth_containers{state=\"exited\"}"));

        assertEquals(1, delta(before, after, "berth_operation_duration_seconds_count",
                "operation=\"sandbox_create\"", "handler=\"runc\""));
        assertEquals(1, delta(before, after, "berth_operation_duration_seconds_count",
                "operation=\"container_create\"", "handler=\"runc\""));
        for (String part : new String[] {"namespaces", "network", "files"}) {
            assertEquals(1, delta(before, after, "berth_operation_part_duration_seconds_count",
                    "operation=\"sandbox_create\"", "part=\"" + part + "\""), part);
        }
        for (String part : new String[] {"rootfs", "spec", "oci_create"}) {
            assertEquals(1, delta(before, after, "berth_operation_part_duration_seconds_count",
                    "operation=\"container_create\"", "part=\"" + part + "\""), part);
        }
        assertEquals(1, delta(before, after, "berth_container_exits_total", "reason=\"Completed\""));
        assertEquals(0, delta(before, after, "berth_container_exits_total", "reason=\"Error\""));
        assertEquals(0, delta(before, after, "berth_oom_kills_total"));
        assertEquals(1, delta(before, after, "berth_cni_operations_total", "plugin=\"builtin\"", "command=\"ADD\""));
        assertEquals(1, delta(before, after, "berth_cni_operations_total", "plugin=\"builtin\"", "command=\"DEL\""));
        assertEquals(0, delta(before, after, "berth_cni_errors_total"));
        assertEquals(1, delta(before, after, "berth_cri_request_duration_seconds_count",
                "method=\"RunPodSandbox\"", "code=\"OK\""));
        assertEquals(1, delta(before, after, "berth_cri_request_duration_seconds_count",
                "method=\"ExecSync\"", "code=\"OK\""));
    }

    @Test
    @Order(1) // first: its first pull must find none of the busybox layers on the node
    void pullsAreCountedByOutcomeAndBytesFetchedOrAlreadyPresent() throws Exception {
        MetricsScrape before = scrape();
        PushedImage first = pull("metrics/pull-a");
        MetricsScrape afterFirst = scrape();
        // The same content under another name: every layer is on the node already.
        PushedImage second = pull("metrics/pull-b");
        MetricsScrape afterSecond = scrape();
        String missing = registry.address() + "/metrics/missing:v1";
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> berth.client().images()
                .pullImage(PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(missing))
                        .build()));
        assertEquals(Status.Code.NOT_FOUND, refused.getStatus().getCode());
        MetricsScrape afterFailure = scrape();

        assertEquals(first.layerDigests(), second.layerDigests(), "the test pushed the same layers twice");
        long layerBytes = 0;
        for (String digest : first.layerDigests()) {
            layerBytes += blobSize(first.repository(), digest);
        }
        assertEquals(1, delta(before, afterFirst, "berth_image_pulls_total", "outcome=\"success\""));
        assertEquals(0, delta(before, afterFirst, "berth_image_pull_skipped_bytes_total"));
        assertTrue(delta(before, afterFirst, "berth_image_pull_fetched_bytes_total") >= layerBytes,
                "the first pull fetched at least its layers: " + layerBytes);
        assertEquals(layerBytes, delta(afterFirst, afterSecond, "berth_image_pull_skipped_bytes_total"));
        assertTrue(delta(afterFirst, afterSecond, "berth_image_pull_fetched_bytes_total") < layerBytes,
                "the second pull fetched no layer");
        assertEquals(1, delta(afterSecond, afterFailure, "berth_image_pulls_total", "outcome=\"failure\"",
                "reason=\"not_found\""));
        assertEquals(0, delta(afterSecond, afterFailure, "berth_image_pulls_total", "outcome=\"success\""));
        assertEquals(0, afterFailure.value("berth_image_pulls_in_flight"));
    }

    @Test
    void anOomKillIsCountedOnceAsAnOomKillAndAnExit() throws Exception {
        PushedImage busybox = pull("metrics/oom");
        MetricsScrape before = scrape();
        try (TestPod pod = TestPod.run(berth, busybox.imageId(), "metrics-oom", false)) {
            String id = pod.create(pod.container("hog", "sh", "-c", "x=a; while true; do x=$x$x; done")
                    .setLinux(LinuxContainerConfig.newBuilder().setResources(LinuxContainerResources.newBuilder()
                            .setMemoryLimitInBytes(16L * 1024 * 1024))));
            pod.start(id);
            ContainerStatus status = pod.await(id, ContainerState.CONTAINER_EXITED);
            assertEquals(137, status.getExitCode());
            // The kernel's own report, on the host: its log names the container's cgroup as the OOM kill's. (The
            // cgroup itself, with its oom_kill counter, goes with the runtime's delete at exit.)
            String memcg = "oom_memcg=" + Path.of("/", berth.cgroupParent(), "berth-" + id) + ",";
            String kernelLog = Command.of("dmesg").check().stdoutText();
            assertEquals(1, kernelLog.lines().filter(line -> line.contains(memcg)).count(), memcg);
            pod.remove(id);
        }
        MetricsScrape after = scrape();
        assertEquals(1, delta(before, after, "berth_oom_kills_total"));
        assertEquals(1, delta(before, after, "berth_container_exits_total", "reason=\"OOMKilled\""));
        assertEquals(0, delta(before, after, "berth_container_exits_total", "reason=\"Error\""));
    }

    private static double delta(MetricsScrape before, MetricsScrape after, String name, String... labels) {
        return after.sum(name, labels) - before.sum(name, labels);
    }

    /** conmon processes on the host whose command line names the ID. */
    private static long conmonsFor(String id) throws Exception {
        try (var procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(p -> {
                        try {
                            String cmdline = Files.readString(p.resolve("cmdline")).replace('\0', ' ');
                            return cmdline.startsWith(CONMON) && cmdline.contains(" " + id + " ");
                        } catch (Exception e) {
                            return false;
                        }
                    }).count();
        }
    }

    private static long blobSize(String repository, String digest) throws Exception {
        HttpResponse<Void> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://" + registry.address() + "/v2/" + repository + "/blobs/" + digest))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(200, response.statusCode(), "HEAD blob " + digest);
        return Long.parseLong(response.headers().firstValue("Content-Length").orElseThrow());
    }
}
