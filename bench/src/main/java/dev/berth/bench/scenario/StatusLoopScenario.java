package dev.berth.bench.scenario;

import dev.berth.bench.CriEndpoint;
import dev.berth.bench.RuntimeUnderTest;
import dev.berth.bench.stats.StepException;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerStatusRequest;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxStatusRequest;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.StartContainerRequest;
import dev.berth.testing.image.PushedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Diagnostic: where a status call's time goes once both sides are warm. On one running pod and container,
 * 100 × warm-up rounds of PodSandboxStatus + ContainerStatus unmeasured, then 100 × iterations rounds measured, with
 * the daemon's and this client's CPU time per call (from /proc, 10 ms ticks) as notes. The pod and container
 * scenarios time the status calls right after a create or start, with little warm-up; this one separates the
 * transport's round trip from what the daemon spends.
 */
public final class StatusLoopScenario implements CriScenario {

    private static final Logger LOG = LoggerFactory.getLogger(StatusLoopScenario.class);

    private final PushedImage image;
    private final Settings settings;

    public StatusLoopScenario(PushedImage image, Settings settings) {
        this.image = image;
        this.settings = settings;
    }

    @Override
    public String name() {
        return "status loop";
    }

    @Override
    public Outcome run(RuntimeUnderTest runtime) {
        CriEndpoint cri = runtime.endpoint();
        Measurement m = new Measurement();
        Set<String> pods = new LinkedHashSet<>();
        return m.run(name() + " on " + runtime.label(), () -> {
            StepException.wrap("PullImage", () -> cri.images(Duration.ofMinutes(5)).pullImage(
                    PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(image.reference())).build()));
            PodSandboxConfig podConfig = PodConfigs.pod(runtime, "bench-loop-pod");
            String pod = StepException.wrap("RunPodSandbox", () -> cri.runtime().runPodSandbox(
                    RunPodSandboxRequest.newBuilder().setConfig(podConfig).build()).getPodSandboxId());
            pods.add(pod);
            ContainerConfig config = PodConfigs.sleeper("sleeper", image.reference());
            String id = StepException.wrap("CreateContainer", () -> cri.runtime().createContainer(
                    CreateContainerRequest.newBuilder().setPodSandboxId(pod).setConfig(config)
                            .setSandboxConfig(podConfig).build()).getContainerId());
            StepException.wrap("StartContainer", () -> cri.runtime().startContainer(
                    StartContainerRequest.newBuilder().setContainerId(id).build()));
            int warm = settings.warmup() * 100;
            int n = settings.iterations() * 100;
            for (boolean measured : new boolean[] {false, true}) {
                m.recorder.recording(measured);
                long daemonTicks = cpuTicks(runtime.daemonPid());
                long clientTicks = cpuTicks(ProcessHandle.current().pid());
                long started = System.nanoTime();
                int count = measured ? n : warm;
                for (int i = 0; i < count; i++) {
                    m.recorder.time("PodSandboxStatus", () -> cri.runtime().podSandboxStatus(
                            PodSandboxStatusRequest.newBuilder().setPodSandboxId(pod).build()));
                    m.recorder.time("ContainerStatus", () -> cri.runtime().containerStatus(
                            ContainerStatusRequest.newBuilder().setContainerId(id).build()));
                }
                long wall = System.nanoTime() - started;
                long daemon = cpuTicks(runtime.daemonPid()) - daemonTicks;
                long client = cpuTicks(ProcessHandle.current().pid()) - clientTicks;
                if (measured) {
                    int calls = 2 * count;
                    String note = String.format(Locale.ROOT, "%s: %d calls, wall %.0f us/call (mean), daemon CPU "
                            + "%.0f us/call, client CPU %.0f us/call", runtime.label(), calls,
                            wall / 1000.0 / calls, daemon * 10_000.0 / calls, client * 10_000.0 / calls);
                    m.notes.add(note);
                    LOG.info(note);
                }
            }
        }, () -> pods.forEach(p -> PodCleanup.removePod(cri, p)));
    }

    /** utime + stime of a process (all its threads), in clock ticks (10 ms); 0 when it cannot be read. */
    private static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // Fields after the command name: state is field 3, utime 14 and stime 15 of the whole line.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot read CPU time of pid {}: {}", pid, e.toString());
            return 0;
        }
    }
}
