package dev.berth.cri.bench;

import dev.berth.cri.handler.ContainerHandler;
import dev.berth.cri.handler.SandboxHandler;
import dev.berth.cri.server.CriServer;
import dev.berth.cri.service.CriRuntimeService;
import dev.berth.proto.runtime.v1.ContainerStatusRequest;
import dev.berth.proto.runtime.v1.ListContainersRequest;
import dev.berth.proto.runtime.v1.ContainerFilter;
import dev.berth.proto.runtime.v1.PodSandboxStatusRequest;
import dev.berth.proto.runtime.v1.RuntimeServiceGrpc;
import dev.berth.runtime.container.ContainerManager;
import dev.berth.runtime.sandbox.SandboxManager;
import dev.berth.testing.cri.CriClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * PodSandboxStatus and ContainerStatus through the daemon's real gRPC server (interceptors, direct executor) on a
 * unix socket, as the bench's client calls them: first a few calls on a server whose shared gRPC path is warm but
 * whose status path is not (what the compare bench's 30 measured iterations see), then many warm calls.
 *
 * <pre>
 * mvn -B -o -q -pl cri-server -am test-compile
 * java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmn4m \
 *     -cp "$(cat cri-server/target/bench.classpath):cri-server/target/classes:cri-server/target/test-classes" \
 *     dev.berth.cri.bench.StatusBench
 * </pre>
 */
public final class StatusBench {

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("berth-status-bench-");
        Path socket = dir.resolve("cri.sock");
        try {
            BenchRecords records = BenchRecords.of(dir, 20, 1);
            ContainerManager containers = new ContainerManager(records.containers, null, null, null, null, null,
                    null, null, null, null);
            SandboxManager sandboxes = new SandboxManager(records.sandboxes, null, null, null, null);
            CriRuntimeService service = new CriRuntimeService(null, new SandboxHandler(sandboxes, containers),
                    new ContainerHandler(containers), null, null, null);
            try (CriServer server = CriServer.start(socket, 16 << 20, Duration.ofSeconds(1), List.of(service),
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
                 CriClient client = CriClient.connect(socket)) {
                String container = records.containers.all().iterator().next().id();
                String sandbox = records.sandboxes.all().iterator().next().id();
                ListContainersRequest other = ListContainersRequest.newBuilder()
                        .setFilter(ContainerFilter.newBuilder().setId("ffff")).build();
                PodSandboxStatusRequest pod = PodSandboxStatusRequest.newBuilder().setPodSandboxId(sandbox).build();
                ContainerStatusRequest ctr = ContainerStatusRequest.newBuilder().setContainerId(container).build();
                for (int i = 0; i < 300; i++) {
                    stub(client).listContainers(other);
                }
                report("cold", client, pod, ctr, 60);
                report("warm", client, pod, ctr, 20000);
            }
        } finally {
            dev.berth.common.fs.Trees.deleteRecursively(dir);
        }
    }

    private static void report(String phase, CriClient client, PodSandboxStatusRequest pod,
                               ContainerStatusRequest ctr, int runs) {
        long[] podNanos = new long[runs];
        long[] ctrNanos = new long[runs];
        for (int i = 0; i < runs; i++) {
            long started = System.nanoTime();
            stub(client).podSandboxStatus(pod);
            long middle = System.nanoTime();
            stub(client).containerStatus(ctr);
            ctrNanos[i] = System.nanoTime() - middle;
            podNanos[i] = middle - started;
        }
        Arrays.sort(podNanos);
        Arrays.sort(ctrNanos);
        System.out.printf("%s runs=%d PodSandboxStatus p50_ms=%.3f ContainerStatus p50_ms=%.3f%n", phase, runs,
                podNanos[runs / 2] / 1e6, ctrNanos[runs / 2] / 1e6);
    }

    private static RuntimeServiceGrpc.RuntimeServiceBlockingStub stub(CriClient client) {
        return client.runtime().withDeadlineAfter(2, TimeUnit.MINUTES);
    }
}
