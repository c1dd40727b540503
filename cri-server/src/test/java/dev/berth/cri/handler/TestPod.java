package dev.berth.cri.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerMetadata;
import dev.berth.proto.runtime.v1.ContainerState;
import dev.berth.proto.runtime.v1.ContainerStatus;
import dev.berth.proto.runtime.v1.ContainerStatusRequest;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.ExecSyncRequest;
import dev.berth.proto.runtime.v1.ExecSyncResponse;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.LinuxSandboxSecurityContext;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.RemoveContainerRequest;
import dev.berth.proto.runtime.v1.RemovePodSandboxRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.StartContainerRequest;
import dev.berth.proto.runtime.v1.StopPodSandboxRequest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * A pod on a test daemon and the few calls the end-to-end contract tests make on its containers: create from an
 * image, start and wait until running, exec and read the output, remove.
 */
final class TestPod implements AutoCloseable {

    private final BerthServerExtension berth;
    private final String image;
    private final PodSandboxConfig config;
    private final String id;

    private TestPod(BerthServerExtension berth, String image, PodSandboxConfig config) {
        this.berth = berth;
        this.image = image;
        this.config = config;
        this.id = berth.client().runtime().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(config)
                .build()).getPodSandboxId();
    }

    /** Runs a pod; a privileged pod may hold privileged containers. */
    static TestPod run(BerthServerExtension berth, String image, String name, boolean privileged) {
        String uid = UUID.randomUUID().toString();
        PodSandboxConfig config = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(name).setNamespace("default").setUid(uid))
                .setHostname(name)
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(berth.cgroupParent())
                        .setSecurityContext(LinuxSandboxSecurityContext.newBuilder().setPrivileged(privileged)))
                .setLogDirectory(berth.home().resolve("logs").resolve(uid).toString())
                .build();
        return new TestPod(berth, image, config);
    }

    /** Runs a pod from a whole config (labels, a cgroup parent of its own, as the kubelet gives each pod). */
    static TestPod run(BerthServerExtension berth, String image, PodSandboxConfig config) {
        return new TestPod(berth, image, config);
    }

    String id() {
        return id;
    }

    PodSandboxConfig config() {
        return config;
    }

    /** A container config running {@code command} in the pod's image (sleep 600 when none is given). */
    ContainerConfig.Builder container(String name, String... command) {
        ContainerConfig.Builder builder = ContainerConfig.newBuilder()
                .setMetadata(ContainerMetadata.newBuilder().setName(name))
                .setImage(ImageSpec.newBuilder().setImage(image))
                .setLogPath(name + ".log");
        if (command.length == 0) {
            builder.addCommand("sleep").addCommand("600");
        } else {
            builder.addAllCommand(List.of(command));
        }
        return builder;
    }

    String create(ContainerConfig.Builder container) {
        return berth.client().runtime().createContainer(CreateContainerRequest.newBuilder()
                .setPodSandboxId(id).setSandboxConfig(config).setConfig(container).build()).getContainerId();
    }

    /** Creates and starts a container; returns once it runs (removing it if it does not). */
    String run(ContainerConfig.Builder container) throws InterruptedException {
        String containerId = create(container);
        try {
            start(containerId);
            await(containerId, ContainerState.CONTAINER_RUNNING);
        } catch (RuntimeException | InterruptedException | AssertionError e) {
            remove(containerId);
            throw e;
        }
        return containerId;
    }

    void start(String containerId) {
        berth.client().runtime().startContainer(StartContainerRequest.newBuilder().setContainerId(containerId)
                .build());
    }

    ContainerStatus status(String containerId) {
        return berth.client().runtime().containerStatus(ContainerStatusRequest.newBuilder()
                .setContainerId(containerId).build()).getStatus();
    }

    ContainerStatus await(String containerId, ContainerState state) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        ContainerStatus status;
        do {
            status = status(containerId);
            if (status.getState() == state) {
                return status;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("container did not reach " + state + ": " + status);
    }

    ExecSyncResponse execSync(String containerId, String... command) {
        return berth.client().runtime().execSync(ExecSyncRequest.newBuilder().setContainerId(containerId)
                .addAllCmd(List.of(command)).setTimeout(10).build());
    }

    /** Runs a command that must succeed; returns its stdout. */
    String exec(String containerId, String... command) {
        ExecSyncResponse response = execSync(containerId, command);
        assertEquals(0, response.getExitCode(), String.join(" ", command) + ": "
                + response.getStderr().toStringUtf8());
        return response.getStdout().toStringUtf8();
    }

    void remove(String containerId) {
        berth.client().runtime().removeContainer(RemoveContainerRequest.newBuilder().setContainerId(containerId)
                .build());
    }

    @Override
    public void close() {
        berth.client().runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(id).build());
        berth.client().runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(id).build());
    }
}
