package dev.berth.bench.scenario;

import dev.berth.bench.CriEndpoint;
import dev.berth.bench.RuntimeUnderTest;
import dev.berth.bench.stats.StepException;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerState;
import dev.berth.proto.runtime.v1.ContainerStatusRequest;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.ExecSyncRequest;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.StartContainerRequest;
import java.time.Duration;
import java.util.List;

/**
 * The untimed setup of the streaming scenarios: one pod with one running busybox container, made through CRI, and
 * its removal.
 */
final class StreamTarget {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final CriEndpoint cri;
    private String pod;
    private String container;

    StreamTarget(CriEndpoint cri) {
        this.cri = cri;
    }

    /** Pulls the image, runs the pod and starts the container; returns once the container runs. */
    void start(RuntimeUnderTest runtime, String image, String podName, ContainerConfig config) {
        StepException.wrap("PullImage", () -> cri.images(Duration.ofMinutes(5)).pullImage(
                PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(image)).build()));
        PodSandboxConfig podConfig = PodConfigs.pod(runtime, podName);
        pod = StepException.wrap("RunPodSandbox", () -> cri.runtime().runPodSandbox(
                RunPodSandboxRequest.newBuilder().setConfig(podConfig).build()).getPodSandboxId());
        container = StepException.wrap("CreateContainer", () -> cri.runtime().createContainer(
                CreateContainerRequest.newBuilder().setPodSandboxId(pod).setConfig(config)
                        .setSandboxConfig(podConfig).build()).getContainerId());
        StepException.wrap("StartContainer", () -> cri.runtime().startContainer(
                StartContainerRequest.newBuilder().setContainerId(container).build()));
        awaitTrue("ContainerStatus", "container running", () -> cri.runtime().containerStatus(
                ContainerStatusRequest.newBuilder().setContainerId(container).build()).getStatus().getState()
                == ContainerState.CONTAINER_RUNNING);
    }

    String pod() {
        return pod;
    }

    String container() {
        return container;
    }

    /** Polls {@code command} in the container (ExecSync) until it exits 0, e.g. until a server listens. */
    void awaitSuccess(String what, List<String> command) {
        awaitTrue("ExecSync", what, () -> cri.runtime().execSync(ExecSyncRequest.newBuilder()
                .setContainerId(container).addAllCmd(command).setTimeout(10).build()).getExitCode() == 0);
    }

    private static void awaitTrue(String step, String what, java.util.function.BooleanSupplier check) {
        StepException.wrap(step, () -> {
            long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
            while (!check.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no " + what + " after " + READY_TIMEOUT.toSeconds() + " s");
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            return null;
        });
    }

    void remove() {
        if (container != null) {
            PodCleanup.removeContainer(cri, container);
        }
        if (pod != null) {
            PodCleanup.removePod(cri, pod);
        }
    }
}
