package dev.berth.bench.scenario;

import dev.berth.bench.CriEndpoint;
import dev.berth.bench.RuntimeUnderTest;
import dev.berth.bench.stats.StepException;
import dev.berth.proto.runtime.v1.ExecRequest;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.streaming.SpdyClient;
import java.net.URI;
import java.util.Map;

/**
 * {@code kubectl exec <pod> -- true} without a tty, the whole round trip timed: the Exec RPC, then on the URL it
 * returns an HTTP upgrade to SPDY/3.1 ({@code v4.channel.k8s.io}), the error, stdout and stderr streams, and the wait
 * until the exit status arrives on the error stream. One busybox {@code sleep 3600} container is the target; pod and
 * container are set up first, untimed.
 */
public final class ExecScenario implements CriScenario {

    static final String PROTOCOL = "v4.channel.k8s.io";

    private final PushedImage image;
    private final Settings settings;

    public ExecScenario(PushedImage image, Settings settings) {
        this.image = image;
        this.settings = settings;
    }

    @Override
    public String name() {
        return "exec true (no tty)";
    }

    @Override
    public Outcome run(RuntimeUnderTest runtime) {
        CriEndpoint cri = runtime.endpoint();
        Measurement m = new Measurement();
        StreamTarget target = new StreamTarget(cri);
        return m.run(name() + " on " + runtime.label(), () -> {
            target.start(runtime, image.reference(), "bench-exec-pod",
                    PodConfigs.sleeper("sleeper", image.reference()));
            ExecRequest request = ExecRequest.newBuilder().setContainerId(target.container()).addCmd("true")
                    .setStdout(true).setStderr(true).build();
            for (int i = 0; i < settings.warmup() + settings.iterations(); i++) {
                m.recorder.recording(i >= settings.warmup());
                long start = System.nanoTime();
                String url = m.recorder.time("Exec", () -> cri.runtime().exec(request).getUrl());
                String status = m.recorder.time("stream until exit", () -> StreamClient.call(() -> session(url)));
                m.recorder.record("total", System.nanoTime() - start);
                StepException.wrap("exit status", () -> {
                    if (!status.contains("\"Success\"")) {
                        throw new IllegalStateException("exec of true did not succeed: " + status);
                    }
                    return null;
                });
                if (i == 0) {
                    URI uri = URI.create(url);
                    m.notes.add("stream server " + uri.getScheme() + "://" + uri.getAuthority() + ", SPDY/3.1 "
                            + PROTOCOL + ", streams error+stdout+stderr");
                }
            }
        }, target::remove);
    }

    /** Dials, opens the streams kubectl opens for this request, and returns the error stream's status. */
    private static String session(String url) throws java.io.IOException, InterruptedException {
        try (SpdyClient client = SpdyClient.connect(url, PROTOCOL)) {
            SpdyClient.Stream error = client.open(Map.of("streamtype", "error"));
            client.open(Map.of("streamtype", "stdout"));
            client.open(Map.of("streamtype", "stderr"));
            return error.readAll();
        }
    }
}
