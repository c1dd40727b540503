package dev.berth.bench.scenario;

import dev.berth.bench.CriEndpoint;
import dev.berth.bench.RuntimeUnderTest;
import dev.berth.bench.stats.StepException;
import dev.berth.proto.runtime.v1.ContainerState;
import dev.berth.proto.runtime.v1.ContainerStatusRequest;
import dev.berth.proto.runtime.v1.ContainerStatusResponse;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.proto.runtime.v1.RemoveContainerRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.StartContainerRequest;
import dev.berth.proto.runtime.v1.StopContainerRequest;
import dev.berth.testing.image.PushedImage;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * In one pod: CreateContainer (busybox {@code sleep 3600}) → StartContainer → ContainerStatus → StopContainer
 * (timeout 0: the kill itself, not a grace period) → RemoveContainer, each timed. Image and pod are set up first,
 * untimed.
 */
public final class ContainerLifecycleScenario implements CriScenario {

    static final String CREATE_START = "Create+Start";
    static final String STOP_REMOVE = "Stop+Remove";

    private final PushedImage image;
    private final Settings settings;

    public ContainerLifecycleScenario(PushedImage image, Settings settings) {
        this.image = image;
        this.settings = settings;
    }

    @Override
    public String name() {
        return "container lifecycle";
    }

    /**
     * The bare runc calls under the CRI steps, paired where runtimes split the work differently: containerd runs
     * {@code runc create} in StartContainer (CreateContainer only records metadata and a snapshot), berth in
     * CreateContainer; both delete the runc container on the way from StopContainer to RemoveContainer.
     */
    @Override
    public Map<String, String> floorSteps() {
        return Map.of(CREATE_START, RuncFloorScenario.CREATE_START, STOP_REMOVE, RuncFloorScenario.KILL_DELETE,
                "total", RuncFloorScenario.TOTAL);
    }

    @Override
    public Outcome run(RuntimeUnderTest runtime) {
        CriEndpoint cri = runtime.endpoint();
        Measurement m = new Measurement();
        Set<String> pods = new LinkedHashSet<>();
        Set<String> live = new LinkedHashSet<>();
        return m.run(name() + " on " + runtime.label(), () -> {
            StepException.wrap("PullImage", () -> cri.images(Duration.ofMinutes(5)).pullImage(
                    PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(image.reference())).build()));
            PodSandboxConfig podConfig = PodConfigs.pod(runtime, "bench-ctr-pod");
            String pod = StepException.wrap("RunPodSandbox", () -> cri.runtime().runPodSandbox(
                    RunPodSandboxRequest.newBuilder().setConfig(podConfig).build()).getPodSandboxId());
            pods.add(pod);
            for (int i = 0; i < settings.warmup() + settings.iterations(); i++) {
                m.recorder.recording(i >= settings.warmup());
                var config = PodConfigs.sleeper("sleeper-" + i, image.reference());
                long start = System.nanoTime();
                String id = m.recorder.time("CreateContainer", () -> cri.runtime().createContainer(
                        CreateContainerRequest.newBuilder().setPodSandboxId(pod).setConfig(config)
                                .setSandboxConfig(podConfig).build())).getContainerId();
                live.add(id);
                m.recorder.time("StartContainer", () -> cri.runtime().startContainer(
                        StartContainerRequest.newBuilder().setContainerId(id).build()));
                m.recorder.record(CREATE_START, System.nanoTime() - start);
                ContainerStatusResponse status = m.recorder.time("ContainerStatus", () -> cri.runtime()
                        .containerStatus(ContainerStatusRequest.newBuilder().setContainerId(id).build()));
                long stop = System.nanoTime();
                m.recorder.time("StopContainer", () -> cri.runtime().stopContainer(
                        StopContainerRequest.newBuilder().setContainerId(id).setTimeout(0).build()));
                m.recorder.time("RemoveContainer", () -> cri.runtime().removeContainer(
                        RemoveContainerRequest.newBuilder().setContainerId(id).build()));
                m.recorder.record(STOP_REMOVE, System.nanoTime() - stop);
                m.recorder.record("total", System.nanoTime() - start);
                live.remove(id);
                StepException.wrap("ContainerStatus", () -> {
                    if (status.getStatus().getState() != ContainerState.CONTAINER_RUNNING) {
                        throw new IllegalStateException("container not running after start: "
                                + status.getStatus().getState() + " " + status.getStatus().getReason());
                    }
                    return null;
                });
            }
        }, () -> {
            live.forEach(id -> PodCleanup.removeContainer(cri, id));
            pods.forEach(id -> PodCleanup.removePod(cri, id));
        });
    }
}
