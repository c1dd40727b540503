package dev.berth.cri.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.proto.runtime.v1.RemovePodSandboxRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.StartContainerRequest;
import dev.berth.proto.runtime.v1.StopPodSandboxRequest;
import dev.berth.testing.cri.CriClient;
import dev.berth.testing.image.BusyboxImages;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A node configured with runtime.unset_seccomp_profile = "runtime/default" filters containers that name none. */
@Tag("host")
class UnsetSeccompOptInTest {

    static final TestRegistry registry = TestRegistry.start();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n")
            .withToml("[runtime]\nunset_seccomp_profile = \"runtime/default\"\n");

    @AfterAll
    static void stopRegistryAndCheckLeftovers() {
        registry.close();
        berth.stopDaemon();
        berth.assertNothingLeft();
    }

    @Test
    void aContainerThatNamesNoProfileGetsRuntimeDefault(CriClient client) throws Exception {
        PushedImage busybox = BusyboxImages.busybox(registry, "optin/busybox", "v1");
        client.images().pullImage(PullImageRequest.newBuilder()
                .setImage(ImageSpec.newBuilder().setImage(busybox.reference())).build());
        String uid = UUID.randomUUID().toString();
        PodSandboxConfig pod = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("optin").setNamespace("default").setUid(uid))
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(berth.cgroupParent()))
                .setLogDirectory(berth.home().resolve("logs").resolve(uid).toString())
                .build();
        String podId = client.runtime().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(pod).build())
                .getPodSandboxId();
        try {
            String id = client.runtime().createContainer(CreateContainerRequest.newBuilder()
                    .setPodSandboxId(podId)
                    .setSandboxConfig(pod)
                    .setConfig(ContainerConfig.newBuilder()
                            .setMetadata(ContainerMetadata.newBuilder().setName("unset"))
                            .setImage(ImageSpec.newBuilder().setImage(busybox.imageId()))
                            .addCommand("sleep").addCommand("600")
                            .setLogPath("unset.log"))
                    .build()).getContainerId();
            client.runtime().startContainer(StartContainerRequest.newBuilder().setContainerId(id).build());
            awaitRunning(client, id);
            ExecSyncResponse status = client.runtime().execSync(ExecSyncRequest.newBuilder().setContainerId(id)
                    .addAllCmd(List.of("cat", "/proc/self/status")).setTimeout(10).build());
            assertEquals(0, status.getExitCode(), status.getStderr().toStringUtf8());
            assertTrue(status.getStdout().toStringUtf8().contains("\nSeccomp:\t2\n"), status.getStdout()
                    .toStringUtf8());
        } finally {
            client.runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
            client.runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
        }
    }

    private static void awaitRunning(CriClient client, String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        ContainerStatus status;
        do {
            status = client.runtime().containerStatus(ContainerStatusRequest.newBuilder().setContainerId(id).build())
                    .getStatus();
            if (status.getState() == ContainerState.CONTAINER_RUNNING) {
                return;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("container did not run: " + status);
    }
}
