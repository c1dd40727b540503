package dev.berth.cri.streams;

import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerMetadata;
import dev.berth.proto.runtime.v1.ContainerState;
import dev.berth.proto.runtime.v1.ContainerStatusRequest;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.ExecSyncRequest;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.LinuxSandboxSecurityContext;
import dev.berth.proto.runtime.v1.NamespaceMode;
import dev.berth.proto.runtime.v1.NamespaceOption;
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

/** Pods and busybox containers for the streaming tests, made and removed through the CRI API. */
record StreamPods(BerthServerExtension berth, String imageId) {

    record Pod(String id, PodSandboxConfig config) {
    }

    Pod runPod(String name, boolean hostNetwork) {
        String uid = UUID.randomUUID().toString();
        LinuxPodSandboxConfig.Builder linux = LinuxPodSandboxConfig.newBuilder().setCgroupParent(berth.cgroupParent());
        if (hostNetwork) {
            linux.setSecurityContext(LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(
                    NamespaceOption.newBuilder().setNetwork(NamespaceMode.NODE)));
        }
        PodSandboxConfig config = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(name).setNamespace("default").setUid(uid))
                .setHostname(name)
                .setLinux(linux)
                .setLogDirectory(berth.home().resolve("logs").resolve(uid).toString())
                .build();
        String id = berth.client().runtime().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(config)
                .build()).getPodSandboxId();
        return new Pod(id, config);
    }

    void removePod(Pod pod) {
        berth.client().runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(pod.id()).build());
        berth.client().runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(pod.id())
                .build());
    }

    /** Creates and starts a container running {@code command}; returns once it runs. */
    String run(Pod pod, String name, ContainerConfig.Builder extra, String... command) throws InterruptedException {
        String id = berth.client().runtime().createContainer(CreateContainerRequest.newBuilder()
                .setPodSandboxId(pod.id())
                .setSandboxConfig(pod.config())
                .setConfig(extra.clone()
                        .setMetadata(ContainerMetadata.newBuilder().setName(name))
                        .setImage(ImageSpec.newBuilder().setImage(imageId))
                        .addAllCommand(List.of(command))
                        .setLogPath(name + ".log"))
                .build()).getContainerId();
        try {
            berth.client().runtime().startContainer(StartContainerRequest.newBuilder().setContainerId(id).build());
            awaitState(id, ContainerState.CONTAINER_RUNNING);
        } catch (RuntimeException | InterruptedException | AssertionError e) {
            remove(id);
            throw e;
        }
        return id;
    }

    void awaitState(String id, ContainerState wanted) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (berth.client().runtime().containerStatus(ContainerStatusRequest.newBuilder().setContainerId(id)
                .build()).getStatus().getState() != wanted) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("container " + id + " never reached " + wanted);
            }
            Thread.sleep(20);
        }
    }

    /** Polls a command in the container until it succeeds (e.g. a server that is not listening yet). */
    void awaitSuccess(String id, String... command) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (berth.client().runtime().execSync(ExecSyncRequest.newBuilder().setContainerId(id)
                .addAllCmd(List.of(command)).setTimeout(10).build()).getExitCode() != 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never succeeded: " + List.of(command));
            }
            Thread.sleep(20);
        }
    }

    void remove(String id) {
        berth.client().runtime().removeContainer(RemoveContainerRequest.newBuilder().setContainerId(id).build());
    }
}
