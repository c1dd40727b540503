package dev.berth.bench.scenario;

import dev.berth.bench.CriEndpoint;
import dev.berth.bench.RuntimeUnderTest;
import dev.berth.bench.stats.StepException;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerState;
import dev.berth.proto.runtime.v1.ContainerStatusRequest;
import dev.berth.proto.runtime.v1.ContainerStatusResponse;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.NamespaceMode;
import dev.berth.proto.runtime.v1.NamespaceOption;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxState;
import dev.berth.proto.runtime.v1.PodSandboxStatusRequest;
import dev.berth.proto.runtime.v1.PodSandboxStatusResponse;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.proto.runtime.v1.RemoveContainerRequest;
import dev.berth.proto.runtime.v1.RemovePodSandboxRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.StartContainerRequest;
import dev.berth.proto.runtime.v1.StopContainerRequest;
import dev.berth.proto.runtime.v1.StopPodSandboxRequest;
import dev.berth.testing.image.PushedImage;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A pod with one container from scratch and back, as the kubelet drives it, in one PID mode: RunPodSandbox →
 * CreateContainer → StartContainer ("from scratch" = the three), then PodSandboxStatus and ContainerStatus (each asked
 * {@value #STATUS_CALLS} times: the kubelet polls them), StopContainer (timeout 0) → RemoveContainer →
 * StopPodSandbox → RemovePodSandbox. With PID mode POD the pod and its container share one PID namespace
 * (shareProcessNamespace: true).
 */
public final class PodWithContainerScenario implements CriScenario {

    static final int STATUS_CALLS = 10;

    private final PushedImage image;
    private final Settings settings;
    private final NamespaceMode pid;

    public PodWithContainerScenario(PushedImage image, Settings settings, NamespaceMode pid) {
        this.image = image;
        this.settings = settings;
        this.pid = pid;
    }

    @Override
    public String name() {
        return "pod+container, pid " + pid;
    }

    @Override
    public Outcome run(RuntimeUnderTest runtime) {
        CriEndpoint cri = runtime.endpoint();
        Measurement m = new Measurement();
        Set<String> live = new LinkedHashSet<>();
        return m.run(name() + " on " + runtime.label(), () -> {
            StepException.wrap("PullImage", () -> cri.images(Duration.ofMinutes(5)).pullImage(
                    PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(image.reference())).build()));
            for (int i = 0; i < settings.warmup() + settings.iterations(); i++) {
                m.recorder.recording(i >= settings.warmup());
                PodSandboxConfig podConfig = withPid(PodConfigs.pod(runtime, "bench-pid-pod-" + i), pid);
                ContainerConfig config = withPid(PodConfigs.sleeper("sleeper", image.reference()), pid);
                long start = System.nanoTime();
                String pod = m.recorder.time("RunPodSandbox", () -> cri.runtime().runPodSandbox(
                        RunPodSandboxRequest.newBuilder().setConfig(podConfig).build())).getPodSandboxId();
                live.add(pod);
                long created = System.nanoTime();
                String id = m.recorder.time("CreateContainer", () -> cri.runtime().createContainer(
                        CreateContainerRequest.newBuilder().setPodSandboxId(pod).setConfig(config)
                                .setSandboxConfig(podConfig).build())).getContainerId();
                m.recorder.time("StartContainer", () -> cri.runtime().startContainer(
                        StartContainerRequest.newBuilder().setContainerId(id).build()));
                long now = System.nanoTime();
                m.recorder.record(ContainerLifecycleScenario.CREATE_START, now - created);
                m.recorder.record("from scratch", now - start);
                PodSandboxStatusResponse podStatus = null;
                ContainerStatusResponse status = null;
                for (int s = 0; s < STATUS_CALLS; s++) {
                    podStatus = m.recorder.time("PodSandboxStatus", () -> cri.runtime().podSandboxStatus(
                            PodSandboxStatusRequest.newBuilder().setPodSandboxId(pod).build()));
                    status = m.recorder.time("ContainerStatus", () -> cri.runtime().containerStatus(
                            ContainerStatusRequest.newBuilder().setContainerId(id).build()));
                }
                check(podStatus, status);
                m.recorder.time("StopContainer", () -> cri.runtime().stopContainer(
                        StopContainerRequest.newBuilder().setContainerId(id).setTimeout(0).build()));
                m.recorder.time("RemoveContainer", () -> cri.runtime().removeContainer(
                        RemoveContainerRequest.newBuilder().setContainerId(id).build()));
                m.recorder.time("StopPodSandbox", () -> cri.runtime().stopPodSandbox(
                        StopPodSandboxRequest.newBuilder().setPodSandboxId(pod).build()));
                m.recorder.time("RemovePodSandbox", () -> cri.runtime().removePodSandbox(
                        RemovePodSandboxRequest.newBuilder().setPodSandboxId(pod).build()));
                live.remove(pod);
            }
        }, () -> live.forEach(id -> PodCleanup.removePod(cri, id)));
    }

    static PodSandboxConfig withPid(PodSandboxConfig config, NamespaceMode pid) {
        PodSandboxConfig.Builder builder = config.toBuilder();
        NamespaceOption options = builder.getLinux().getSecurityContext().getNamespaceOptions();
        builder.getLinuxBuilder().getSecurityContextBuilder().setNamespaceOptions(options.toBuilder().setPid(pid));
        return builder.build();
    }

    /** The kubelet gives every container of a shareProcessNamespace pod PID mode POD, and CONTAINER otherwise. */
    static ContainerConfig withPid(ContainerConfig config, NamespaceMode pid) {
        ContainerConfig.Builder builder = config.toBuilder();
        builder.getLinuxBuilder().getSecurityContextBuilder().setNamespaceOptions(NamespaceOption.newBuilder()
                .setNetwork(NamespaceMode.POD).setIpc(NamespaceMode.POD).setPid(pid));
        return builder.build();
    }

    private static void check(PodSandboxStatusResponse pod, ContainerStatusResponse container) {
        StepException.wrap("PodSandboxStatus", () -> {
            if (pod.getStatus().getState() != PodSandboxState.SANDBOX_READY
                    || pod.getStatus().getNetwork().getIp().isEmpty()) {
                throw new IllegalStateException("pod not ready or without IP: " + pod.getStatus());
            }
            if (container.getStatus().getState() != ContainerState.CONTAINER_RUNNING) {
                throw new IllegalStateException("container not running: " + container.getStatus().getState());
            }
            return null;
        });
    }
}
