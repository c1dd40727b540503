package dev.berth.bench.scenario;

import dev.berth.bench.CriEndpoint;
import dev.berth.bench.RuntimeUnderTest;
import dev.berth.bench.stats.Samples;
import dev.berth.bench.stats.StepException;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.PortForwardRequest;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.streaming.SpdyClient;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code kubectl port-forward}'s data path through one connection: a busybox {@code nc} in the pod serves 100 MiB of
 * zeros ({@code dd bs=64k}) to each connection on port 8080; each iteration asks PortForward for a URL, upgrades to
 * SPDY/3.1 ({@code portforward.k8s.io}), opens the error and data streams of one request and reads until all bytes
 * arrived. The timed transfer includes the streams' setup (a runtime's per-connection cost); throughput is the bytes
 * over that time. The source is the same for both runtimes, so what differs is the runtime's relay.
 */
public final class PortForwardScenario implements CriScenario {

    static final String PROTOCOL = "portforward.k8s.io";
    static final int PORT = 8080;
    static final int BLOCK = 65536;
    static final int BLOCKS = 1600;
    static final long BYTES = (long) BLOCK * BLOCKS;
    static final String TRANSFER = "transfer 100 MiB";
    private static final long TRANSFER_TIMEOUT_MILLIS = 120_000;

    private final PushedImage image;
    private final Settings settings;

    public PortForwardScenario(PushedImage image, Settings settings) {
        this.image = image;
        this.settings = settings;
    }

    @Override
    public String name() {
        return "port-forward 100 MiB";
    }

    @Override
    public Outcome run(RuntimeUnderTest runtime) {
        CriEndpoint cri = runtime.endpoint();
        Measurement m = new Measurement();
        StreamTarget target = new StreamTarget(cri);
        return m.run(name() + " on " + runtime.label(), () -> {
            ContainerConfig source = PodConfigs.sleeper("source", image.reference()).toBuilder()
                    .clearCommand().clearArgs()
                    .addAllCommand(List.of("nc", "-ll", "-p", Integer.toString(PORT), "-e", "sh", "-c",
                            "dd if=/dev/zero bs=" + BLOCK + " count=" + BLOCKS + " 2>/dev/null"))
                    .build();
            target.start(runtime, image.reference(), "bench-pf-pod", source);
            // A listening socket on :8080 (0x1F90) in the pod's network namespace, IPv4 or (nc binds the IPv6
            // wildcard where it can) IPv6: state 0A is LISTEN.
            target.awaitSuccess("listener on port " + PORT, List.of("grep", "-qE", ":1F90 [0-9A-F]+:0000 0A",
                    "/proc/net/tcp", "/proc/net/tcp6"));
            PortForwardRequest request = PortForwardRequest.newBuilder().setPodSandboxId(target.pod()).addPort(PORT)
                    .build();
            for (int i = 0; i < settings.warmup() + settings.iterations(); i++) {
                m.recorder.recording(i >= settings.warmup());
                long start = System.nanoTime();
                String url = m.recorder.time("PortForward", () -> cri.runtime().portForward(request).getUrl());
                int requestId = i;
                m.recorder.time(TRANSFER, () -> StreamClient.call(() -> transfer(url, requestId)));
                m.recorder.record("total", System.nanoTime() - start);
            }
            Samples transfer = m.recorder.results().get(TRANSFER);
            m.notes.add(String.format(Locale.ROOT, "throughput %.0f MB/s at the p50 transfer time, %.0f MB/s at p90"
                    + " (%d bytes, SPDY/3.1 %s, one connection)", mbPerSecond(transfer.p50Millis()),
                    mbPerSecond(transfer.p90Millis()), BYTES, PROTOCOL));
        }, target::remove);
    }

    private static double mbPerSecond(double millis) {
        return BYTES / 1e6 / (millis / 1e3);
    }

    /** One forwarded connection: all {@link #BYTES} must arrive, with nothing on the error stream. */
    private static Long transfer(String url, int requestId) throws java.io.IOException, InterruptedException {
        try (SpdyClient client = SpdyClient.connect(url, PROTOCOL)) {
            String port = Integer.toString(PORT);
            String id = Integer.toString(requestId);
            SpdyClient.Stream error = client.open(Map.of("streamtype", "error", "port", port, "requestid", id));
            SpdyClient.Stream data = client.open(Map.of("streamtype", "data", "port", port, "requestid", id));
            data.discardData();
            long received = data.awaitCount(BYTES, TRANSFER_TIMEOUT_MILLIS);
            if (received < BYTES) {
                throw new StepException(TRANSFER, new IllegalStateException("got " + received + " of " + BYTES
                        + " bytes; error stream: " + error.awaitBytes(0)));
            }
            return received;
        }
    }
}
