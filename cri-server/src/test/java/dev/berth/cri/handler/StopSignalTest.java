package dev.berth.cri.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerState;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.NamespaceMode;
import dev.berth.proto.runtime.v1.NamespaceOption;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.proto.runtime.v1.Signal;
import dev.berth.proto.runtime.v1.StopContainerRequest;
import dev.berth.testing.image.BusyboxImages;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * StopContainer sends the stop signal the config names, else the image's StopSignal. The container traps SIGUSR1
 * and exits 42 on it; as PID 1 of its own PID namespace without a handler it ignores SIGTERM, so a stop that sent
 * SIGTERM ends in SIGKILL (137) after the grace period instead.
 */
@Tag("host")
class StopSignalTest {

    static final String TRAP_USR1 = "trap 'exit 42' USR1; while true; do sleep 0.1; done";
    static final long SIGUSR1_BIT = 1L << (10 - 1);

    static final TestRegistry registry = TestRegistry.start();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n");

    static TestPod pod;
    static PushedImage usr1Image;

    @BeforeAll
    static void pullAndRunPod() {
        PushedImage busybox = BusyboxImages.busybox(registry, "stop/busybox", "v1");
        usr1Image = BusyboxImages.busyboxImage().stopSignal("SIGUSR1").push(registry, "stop/usr1", "v1");
        for (PushedImage image : List.of(busybox, usr1Image)) {
            berth.client().images().pullImage(PullImageRequest.newBuilder()
                    .setImage(ImageSpec.newBuilder().setImage(image.reference())).build());
        }
        pod = TestPod.run(berth, busybox.imageId(), "stop", false);
    }

    @AfterAll
    static void removePodAndCheckLeftovers() {
        pod.close();
        registry.close();
        berth.stopDaemon();
        berth.assertNothingLeft();
    }

    @Test
    void theConfigsStopSignalIsSent() throws Exception {
        assertEquals(42, stopExitCode(pod.container("config-signal", "sh", "-c", TRAP_USR1)
                .setStopSignal(Signal.SIGUSR1)));
    }

    @Test
    void theImagesStopSignalIsSentWhenTheConfigNamesNone() throws Exception {
        assertEquals(42, stopExitCode(pod.container("image-signal", "sh", "-c", TRAP_USR1)
                .setImage(ImageSpec.newBuilder().setImage(usr1Image.imageId()))));
    }

    private static int stopExitCode(ContainerConfig.Builder container) throws Exception {
        // Its own PID namespace, so that the trapping shell is PID 1 there (the pod's shares one with an init).
        String id = pod.run(container.setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(
                LinuxContainerSecurityContext.newBuilder().setNamespaceOptions(NamespaceOption.newBuilder()
                        .setPid(NamespaceMode.CONTAINER)))));
        try {
            awaitUsr1Trapped(id);
            berth.client().runtime().stopContainer(StopContainerRequest.newBuilder().setContainerId(id)
                    .setTimeout(10).build());
            return pod.await(id, ContainerState.CONTAINER_EXITED).getExitCode();
        } finally {
            pod.remove(id);
        }
    }

    /** Until the shell has installed its trap: SIGUSR1 in PID 1's caught set. */
    private static void awaitUsr1Trapped(String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            String status = pod.exec(id, "cat", "/proc/1/status");
            if ((ContainerSecurityTest.field(status, "SigCgt") & SIGUSR1_BIT) != 0) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the container never trapped SIGUSR1: " + pod.exec(id, "cat", "/proc/1/status"));
    }
}
