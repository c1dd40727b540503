package dev.berth.bench.scenario;

import dev.berth.bench.CriEndpoint;
import dev.berth.bench.RuntimeUnderTest;
import dev.berth.bench.stats.StepException;
import dev.berth.proto.runtime.v1.PodSandboxState;
import dev.berth.proto.runtime.v1.PodSandboxStatusRequest;
import dev.berth.proto.runtime.v1.PodSandboxStatusResponse;
import dev.berth.proto.runtime.v1.RemovePodSandboxRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.StopPodSandboxRequest;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * RunPodSandbox → PodSandboxStatus → StopPodSandbox → RemovePodSandbox, each timed, a fresh pod per iteration on
 * the pod network (containerd: pause container + CNI bridge; berth: namespace pins + built-in bridge).
 */
public final class PodLifecycleScenario implements CriScenario {

    private final Settings settings;

    public PodLifecycleScenario(Settings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return "pod lifecycle";
    }

    @Override
    public Outcome run(RuntimeUnderTest runtime) {
        CriEndpoint cri = runtime.endpoint();
        Measurement m = new Measurement();
        Set<String> live = new LinkedHashSet<>();
        return m.run(name() + " on " + runtime.label(), () -> {
            for (int i = 0; i < settings.warmup() + settings.iterations(); i++) {
                m.recorder.recording(i >= settings.warmup());
                var config = PodConfigs.pod(runtime, "bench-pod-" + i);
                long start = System.nanoTime();
                String id = m.recorder.time("RunPodSandbox", () -> cri.runtime().runPodSandbox(
                        RunPodSandboxRequest.newBuilder().setConfig(config).build())).getPodSandboxId();
                live.add(id);
                PodSandboxStatusResponse status = m.recorder.time("PodSandboxStatus", () -> cri.runtime()
                        .podSandboxStatus(PodSandboxStatusRequest.newBuilder().setPodSandboxId(id).build()));
                m.recorder.time("StopPodSandbox", () -> cri.runtime()
                        .stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(id).build()));
                m.recorder.time("RemovePodSandbox", () -> cri.runtime()
                        .removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(id).build()));
                m.recorder.record("total", System.nanoTime() - start);
                live.remove(id);
                check(status, i == settings.warmup() ? m : null);
            }
        }, () -> live.forEach(id -> PodCleanup.removePod(cri, id)));
    }

    /** A pod that is not READY, or has no IP on the pod network, would make the timings meaningless. */
    private static void check(PodSandboxStatusResponse status, Measurement noteTo) {
        StepException.wrap("PodSandboxStatus", () -> {
            if (status.getStatus().getState() != PodSandboxState.SANDBOX_READY) {
                throw new IllegalStateException("pod not ready: " + status.getStatus().getState());
            }
            String ip = status.getStatus().getNetwork().getIp();
            if (ip.isEmpty()) {
                throw new IllegalStateException("pod has no IP on the pod network");
            }
            if (noteTo != null) {
                noteTo.notes.add("pod IP " + ip);
            }
            return null;
        });
    }
}
