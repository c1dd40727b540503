package dev.berth.cri.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cri.testing.BerthProcess;
import dev.berth.cri.testing.Leftovers;
import dev.berth.cri.testing.TestNetwork;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerMetadata;
import dev.berth.proto.runtime.v1.ContainerState;
import dev.berth.proto.runtime.v1.ContainerStatusRequest;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.ExecRequest;
import dev.berth.proto.runtime.v1.ExecSyncRequest;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.ListPodSandboxRequest;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
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
import dev.berth.testing.streaming.SpdyClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A daemon killed with SIGKILL while a streaming exec and an exec-sync run: their conmons outlive it and their
 * processes run on with nobody attached; the next daemon on the same directories kills and reaps them at start-up
 * and removes their scratch directories, and leaves the container itself running.
 */
@Tag("host")
class ExecAfterDaemonKillTest {

    private final TestNetwork network = TestNetwork.random();
    private final String cgroupParent = "/berth-execkill-" + Long.toHexString(System.nanoTime());
    private TestRegistry registry;
    private Path home;
    private Path state;
    private Path config;
    private Process daemon;

    @BeforeEach
    void setUp() throws Exception {
        registry = TestRegistry.start();
        home = Files.createTempDirectory("berth-execkill-");
        state = Files.createTempDirectory(Path.of("/run"), "bx");
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
                client.runtime().listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsList()
                        .forEach(pod -> {
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

    @Test
    void theNextDaemonKillsExecsTheKilledOneLeftRunning() throws Exception {
        PushedImage busybox = BusyboxImages.busybox(registry, "execkill/busybox", "v1");
        PodSandboxConfig pod = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("execkill").setNamespace("default")
                        .setUid("u-execkill"))
                .setLogDirectory(home.resolve("logs").toString())
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(cgroupParent))
                .build();
        daemon = startDaemon();
        String sleeper;
        try (CriClient client = connect()) {
            client.images().pullImage(PullImageRequest.newBuilder()
                    .setImage(ImageSpec.newBuilder().setImage(busybox.reference())).build());
            String podId = client.runtime().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(pod).build())
                    .getPodSandboxId();
            sleeper = client.runtime().createContainer(CreateContainerRequest.newBuilder()
                    .setPodSandboxId(podId)
                    .setSandboxConfig(pod)
                    .setConfig(ContainerConfig.newBuilder()
                            .setMetadata(ContainerMetadata.newBuilder().setName("sleeper"))
                            .setImage(ImageSpec.newBuilder().setImage(busybox.imageId()))
                            .addAllCommand(List.of("sleep", "600"))
                            .setLogPath("sleeper.log"))
                    .build()).getContainerId();
            client.runtime().startContainer(StartContainerRequest.newBuilder().setContainerId(sleeper).build());

            String url = client.runtime().exec(ExecRequest.newBuilder().setContainerId(sleeper)
                    .addAllCmd(List.of("sh", "-c", "echo started; exec sleep 6017")).setStdin(true)
                    .setStdout(true).build()).getUrl();
            SpdyClient stream = SpdyClient.connect(url, "v4.channel.k8s.io");
            stream.open(Map.of("streamtype", "error"));
            stream.open(Map.of("streamtype", "stdin"));
            SpdyClient.Stream stdout = stream.open(Map.of("streamtype", "stdout"));
            assertTrue(stdout.awaitBytes(8).startsWith("started"));
            // An exec-sync in flight too (no timeout: only its caller's end would stop it).
            CompletableFuture.runAsync(() -> client.runtime().execSync(ExecSyncRequest.newBuilder()
                    .setContainerId(sleeper).addAllCmd(List.of("sleep", "6018")).build()))
                    .exceptionally(gone -> null);
            awaitTrue(() -> running("sleep\u00006018"), "the exec-sync runs");

            daemon.destroyForcibly(); // SIGKILL: no cleanup
            daemon.waitFor(30, TimeUnit.SECONDS);
            stream.close();
        }
        // Nobody is attached any more, yet both run on: what the next daemon has to end.
        assertTrue(running("sleep\u00006017"), "the streaming exec outlived the daemon");
        assertTrue(running("sleep\u00006018"), "the exec-sync outlived the daemon");

        daemon = startDaemon();
        awaitTrue(() -> !running("sleep\u00006017") && !running("sleep\u00006018"),
                "the next daemon ended both execs");
        try (Stream<Path> left = Files.list(state.resolve("exec"))) {
            assertEquals(List.of(), left.toList(), "exec scratch directories left");
        }
        try (CriClient client = connect()) {
            assertEquals(ContainerState.CONTAINER_RUNNING, client.runtime().containerStatus(
                    ContainerStatusRequest.newBuilder().setContainerId(sleeper).build()).getStatus().getState());
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

    /** Whether a process whose NUL-separated command line is exactly this exists (a zombie has none). */
    private static boolean running(String cmdline) throws Exception {
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
}
