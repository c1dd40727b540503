package dev.berth.cri.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerMetadata;
import dev.berth.proto.runtime.v1.ContainerState;
import dev.berth.proto.runtime.v1.ContainerStatus;
import dev.berth.proto.runtime.v1.ContainerStatusRequest;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.Int64Value;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.LinuxSandboxSecurityContext;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.PodSandboxStatusRequest;
import dev.berth.proto.runtime.v1.RemovePodSandboxRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.SecurityProfile;
import dev.berth.proto.runtime.v1.StartContainerRequest;
import dev.berth.proto.runtime.v1.StopPodSandboxRequest;
import dev.berth.testing.cri.CriClient;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A pod outlives the daemon that made it: after a restart, berth still has the whole config the pod was created
 * with, and containers made then see that pod, whatever copy of the config a CreateContainer carries (or none).
 */
@Tag("host")
class PodConfigAfterRestartTest {

    static final TestRegistry registry = TestRegistry.start();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n");

    static PushedImage busybox;

    @BeforeAll
    static void pullBusybox() {
        busybox = berth.pullBusybox(registry, "restart/busybox");
    }

    @AfterAll
    static void stopRegistryAndCheckLeftovers() {
        registry.close();
        berth.stopDaemon();
        berth.assertNothingLeft();
    }

    @Test
    void containersMadeAfterARestartSeeThePodAsItWasCreated() throws Exception {
        String uid = UUID.randomUUID().toString();
        // Fields berth's own record fields do not hold (the pod's security context) besides the ones they do.
        PodSandboxConfig pod = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("kept").setNamespace("default").setUid(uid))
                .setHostname("kept-pod")
                .setLogDirectory(berth.home().resolve("logs").resolve("default_kept_" + uid).toString())
                .setLinux(LinuxPodSandboxConfig.newBuilder()
                        .setCgroupParent(berth.cgroupParent())
                        .setSecurityContext(LinuxSandboxSecurityContext.newBuilder()
                                .setRunAsUser(Int64Value.newBuilder().setValue(0))
                                .addSupplementalGroups(4242)
                                .setSeccomp(SecurityProfile.newBuilder()
                                        .setProfileType(SecurityProfile.ProfileType.RuntimeDefault))))
                .putLabels("io.kubernetes.pod.name", "kept")
                .build();
        String podId = berth.client().runtime().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(pod)
                .build()).getPodSandboxId();
        try {
            berth.restartDaemon();
            CriClient client = berth.client();

            // What the new daemon read back from the pod's record, to the last field.
            String info = client.runtime().podSandboxStatus(PodSandboxStatusRequest.newBuilder()
                    .setPodSandboxId(podId).setVerbose(true).build()).getInfoOrThrow("info");
            String stored = new ObjectMapper().readTree(info).path("config").asText();
            assertEquals(pod, PodSandboxConfig.parseFrom(Base64.getDecoder().decode(stored)));

            String script = "echo \"$(hostname) $HOSTNAME\"";
            // As a caller that sends no sandbox_config does.
            String without = create(client, podId, null, "without", script);
            // A copy that differs from what the pod was made with must not rename the pod's UTS namespace, which
            // every container of the pod shares: runc sets the hostname as it creates a container, so the first
            // container would see the second one's.
            PodSandboxConfig staleCopy = pod.toBuilder().setHostname("stale-copy").build();
            String stale = create(client, podId, staleCopy, "stale", script);

            assertEquals("kept-pod kept-pod", runAndReadOutput(client, without));
            assertEquals("kept-pod kept-pod", runAndReadOutput(client, stale));
        } finally {
            berth.client().runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(podId)
                    .build());
            berth.client().runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(podId)
                    .build());
        }
    }

    private static String create(CriClient client, String podId, PodSandboxConfig sandboxConfig, String name,
                                 String script) {
        CreateContainerRequest.Builder request = CreateContainerRequest.newBuilder()
                .setPodSandboxId(podId)
                .setConfig(ContainerConfig.newBuilder()
                        .setMetadata(ContainerMetadata.newBuilder().setName(name))
                        .setImage(ImageSpec.newBuilder().setImage(busybox.imageId()))
                        .addAllCommand(List.of("sh", "-c", script))
                        .setLogPath(name + "/0.log"));
        if (sandboxConfig != null) {
            request.setSandboxConfig(sandboxConfig);
        }
        return client.runtime().createContainer(request.build()).getContainerId();
    }

    /** Starts the container, waits for its exit and returns its one line of stdout. */
    private static String runAndReadOutput(CriClient client, String id) throws Exception {
        client.runtime().startContainer(StartContainerRequest.newBuilder().setContainerId(id).build());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        ContainerStatus status;
        do {
            status = client.runtime().containerStatus(ContainerStatusRequest.newBuilder().setContainerId(id).build())
                    .getStatus();
            if (status.getState() == ContainerState.CONTAINER_EXITED) {
                break;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        assertEquals(ContainerState.CONTAINER_EXITED, status.getState(), "container " + id + " did not exit");
        assertEquals(0, status.getExitCode());
        List<String> lines = Files.readAllLines(Path.of(status.getLogPath()), StandardCharsets.UTF_8);
        assertEquals(1, lines.size(), lines::toString);
        // CRI log line: <time> stdout F <text>
        return lines.get(0).split(" ", 4)[3];
    }
}
