package dev.berth.cri.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cri.testing.BerthProcess;
import dev.berth.cri.testing.Leftovers;
import dev.berth.cri.testing.TestNetwork;
import dev.berth.proto.runtime.v1.Container;
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
import dev.berth.proto.runtime.v1.ListContainersRequest;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.PodSandboxState;
import dev.berth.proto.runtime.v1.PodSandboxStatus;
import dev.berth.proto.runtime.v1.PodSandboxStatusRequest;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.proto.runtime.v1.RemovePodSandboxRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.StartContainerRequest;
import dev.berth.proto.runtime.v1.StopPodSandboxRequest;
import dev.berth.proto.runtime.v1.VersionRequest;
import dev.berth.testing.cri.CriClient;
import dev.berth.testing.image.BusyboxImages;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The daemon's end, abrupt or asked for. kill -9 while containers run and log: conmon keeps them and their logs
 * going, and a new daemon on the same directories reports every pod and container as it is, including exits that
 * happened while it was down. SIGTERM: calls in flight finish, new ones are refused, the daemon exits 0.
 */
@Tag("host")
class CrashRecoveryTest {

    private final TestNetwork network = TestNetwork.random();
    private final String cgroupParent = "/berth-crash-" + Long.toHexString(System.nanoTime());
    private TestRegistry registry;
    private Path home;
    private Path state;
    private Path config;
    private Process daemon;

    @BeforeEach
    void setUp() throws Exception {
        registry = TestRegistry.start();
        home = Files.createTempDirectory("berth-crash-");
        state = Files.createTempDirectory(Path.of("/run"), "bc");
        config = home.resolve("config.toml");
        Files.writeString(config, """
                [server]
                socket = "%s"
                [storage]
                root = "%s"
                state = "%s"
                [metrics]
                address = ""
                [registry."%s"]
                insecure = true
                %s
                """.formatted(home.resolve("berth.sock"), home.resolve("root"), state, registry.address(),
                network.toml(home.resolve("cni-conf").toString())));
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (daemon == null || !daemon.isAlive()) {
                daemon = startDaemon();
            }
            try (CriClient client = connect()) {
                client.runtime().listPodSandbox(dev.berth.proto.runtime.v1.ListPodSandboxRequest.getDefaultInstance())
                        .getItemsList().forEach(pod -> {
                            client.runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder()
                                    .setPodSandboxId(pod.getId()).build());
                            client.runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder()
                                    .setPodSandboxId(pod.getId()).build());
                        });
            }
            daemon.destroy();
            daemon.waitFor(30, TimeUnit.SECONDS);
            assertEquals(List.of(), Leftovers.podMountsUnder(home, state), "pod mounts left behind");
            assertEquals(List.of(), Leftovers.processesUsing(home, state), "processes left behind");
            assertEquals(List.of(), Leftovers.podCgroupsUnder(cgroupParent), "pod cgroups left behind");
        } finally {
            if (daemon != null && daemon.isAlive()) {
                daemon.destroyForcibly();
            }
            registry.close();
            network.remove();
            Leftovers.removeDirectory(state);
            Leftovers.removeDirectory(home);
            Leftovers.removeCgroupParent(cgroupParent);
        }
    }

    private Process startDaemon() throws Exception {
        long startedLines = logLines();
        Process process = BerthProcess.start(home, "serve", "--config", config.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && process.isAlive() && logLines() <= startedLines) {
            Thread.sleep(20);
        }
        assertTrue(process.isAlive() && logLines() > startedLines, () -> "daemon did not start: " + stderr());
        return process;
    }

    private long logLines() throws Exception {
        Path log = home.resolve("stderr");
        return Files.exists(log) ? Files.readAllLines(log).stream().filter(l -> l.contains("berth started")).count()
                : 0;
    }

    private String stderr() {
        try {
            return Files.readString(home.resolve("stderr"));
        } catch (Exception e) {
            return "";
        }
    }

    private CriClient connect() {
        CriClient client = CriClient.connect(home.resolve("berth.sock"));
        client.runtime().version(VersionRequest.getDefaultInstance());
        return client;
    }

    @Test
    void killedDaemonComesBackWithEveryPodAndContainerAsTheyAre() throws Exception {
        PushedImage busybox = BusyboxImages.busybox(registry, "crash/busybox", "v1");
        PodSandboxConfig pod = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("crash").setNamespace("default").setUid("u-1"))
                .setLogDirectory(home.resolve("logs").toString())
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(cgroupParent))
                .putLabels("app", "crash")
                .putAnnotations("note", "survives")
                .build();
        daemon = startDaemon();
        String podId;
        String counter;
        String shortLived;
        PodSandboxStatus before;
        try (CriClient client = connect()) {
            client.images().pullImage(PullImageRequest.newBuilder()
                    .setImage(ImageSpec.newBuilder().setImage(busybox.reference())).build());
            podId = client.runtime().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(pod).build())
                    .getPodSandboxId();
            before = client.runtime().podSandboxStatus(PodSandboxStatusRequest.newBuilder()
                    .setPodSandboxId(podId).build()).getStatus();
            counter = startContainer(client, podId, pod, busybox, "counter",
                    "i=0; while true; do echo line $i; i=$((i+1)); sleep 0.02; done");
            shortLived = startContainer(client, podId, pod, busybox, "short", "sleep 2; exit 5");
        }

        daemon.destroyForcibly(); // SIGKILL: no cleanup, no last words
        daemon.waitFor(30, TimeUnit.SECONDS);
        Path log = home.resolve("logs/counter/0.log");
        long linesAtCrash = Files.readAllLines(log).size();
        // "short" exits while berth is down (conmon, which outlives berth, records its code in the bundle), and
        // "counter" keeps logging through conmon.
        Path shortExit = state.resolve("containers").resolve(shortLived).resolve("exit");
        awaitTrue(() -> Files.exists(shortExit), "\"short\" exited while berth was down");
        awaitTrue(() -> Files.readAllLines(log).size() > linesAtCrash, "logs kept flowing while berth was down");

        daemon = startDaemon();
        try (CriClient client = connect()) {
            PodSandboxStatus after = client.runtime().podSandboxStatus(PodSandboxStatusRequest.newBuilder()
                    .setPodSandboxId(podId).build()).getStatus();
            assertEquals(PodSandboxState.SANDBOX_READY, after.getState());
            assertEquals(before.getCreatedAt(), after.getCreatedAt());
            assertEquals(before.getNetwork().getIp(), after.getNetwork().getIp());
            assertEquals(pod.getLabelsMap(), after.getLabelsMap());
            assertEquals(pod.getAnnotationsMap(), after.getAnnotationsMap());

            ContainerStatus running = status(client, counter);
            assertEquals(ContainerState.CONTAINER_RUNNING, running.getState());
            assertEquals(log.toString(), running.getLogPath());
            ContainerStatus exited = status(client, shortLived);
            assertEquals(ContainerState.CONTAINER_EXITED, exited.getState());
            assertEquals(5, exited.getExitCode());
            assertEquals("Error", exited.getReason());
            List<Container> listed = client.runtime().listContainers(ListContainersRequest.getDefaultInstance())
                    .getContainersList();
            assertEquals(2, listed.size());
        }
        // No gap: the counter's lines are consecutive from 0.
        List<String> lines = Files.readAllLines(log);
        for (int i = 0; i < lines.size(); i++) {
            assertTrue(lines.get(i).endsWith(" stdout F line " + i), "line " + i + ": " + lines.get(i));
        }
    }

    @Test
    void sigtermLetsInFlightCallsFinishRefusesNewOnesAndExitsZero() throws Exception {
        PushedImage busybox = BusyboxImages.busybox(registry, "term/busybox", "v1");
        PodSandboxConfig pod = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("term").setNamespace("default").setUid("u-2"))
                .setLogDirectory(home.resolve("logs").toString())
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(cgroupParent))
                .build();
        daemon = startDaemon();
        try (CriClient client = connect()) {
            client.images().pullImage(PullImageRequest.newBuilder()
                    .setImage(ImageSpec.newBuilder().setImage(busybox.reference())).build());
            String podId = client.runtime().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(pod).build())
                    .getPodSandboxId();
            String sleeper = startContainer(client, podId, pod, busybox, "sleeper", "sleep 600");
            // The in-flight call: an exec that runs for 2 s; SIGTERM arrives while its "sleep 2" runs.
            CompletableFuture<ExecSyncResponse> inFlight = CompletableFuture.supplyAsync(() -> client.runtime()
                    .execSync(ExecSyncRequest.newBuilder().setContainerId(sleeper)
                            .addAllCmd(List.of("sh", "-c", "sleep 2; echo finished")).setTimeout(30).build()));
            awaitTrue(() -> processRunning("sleep\u00002"), "the exec's sleep runs");
            daemon.destroy(); // SIGTERM
            awaitTrue(() -> !Files.exists(home.resolve("berth.sock")) || refusesNewCalls(),
                    "new calls are refused once SIGTERM arrived");
            ExecSyncResponse finished = inFlight.get(30, TimeUnit.SECONDS);
            assertEquals(0, finished.getExitCode());
            assertEquals("finished\n", finished.getStdout().toStringUtf8());
            assertTrue(daemon.waitFor(30, TimeUnit.SECONDS), "berth did not exit");
            assertEquals(0, daemon.exitValue(), stderr());
            assertFalse(stderr().contains("Unknown channel option"), "a socket option warning per connection");
        }
    }

    private boolean refusesNewCalls() {
        try (CriClient fresh = CriClient.connect(home.resolve("berth.sock"))) {
            fresh.runtime().withDeadlineAfter(2, TimeUnit.SECONDS).version(VersionRequest.getDefaultInstance());
            return false;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode() == Status.Code.UNAVAILABLE;
        }
    }

    /** Whether a process with exactly this NUL-separated command line exists. */
    private static boolean processRunning(String cmdline) throws Exception {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .anyMatch(p -> {
                        try {
                            return Files.readString(p.resolve("cmdline")).equals(cmdline + "\u0000");
                        } catch (Exception gone) {
                            return false;
                        }
                    });
        }
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static ContainerStatus status(CriClient client, String id) {
        return client.runtime().containerStatus(ContainerStatusRequest.newBuilder().setContainerId(id).build())
                .getStatus();
    }

    private static String startContainer(CriClient client, String podId, PodSandboxConfig pod, PushedImage image,
                                         String name, String script) {
        String id = client.runtime().createContainer(CreateContainerRequest.newBuilder()
                .setPodSandboxId(podId)
                .setSandboxConfig(pod)
                .setConfig(ContainerConfig.newBuilder()
                        .setMetadata(ContainerMetadata.newBuilder().setName(name))
                        .setImage(ImageSpec.newBuilder().setImage(image.imageId()))
                        .addAllCommand(List.of("sh", "-c", script))
                        .setLogPath(name + "/0.log"))
                .build()).getContainerId();
        client.runtime().startContainer(StartContainerRequest.newBuilder().setContainerId(id).build());
        return id;
    }
}
