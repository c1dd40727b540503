package dev.berth.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.common.fs.MountTable;
import dev.berth.proto.runtime.v1.LinuxContainerResources;
import dev.berth.proto.runtime.v1.Signal;
import dev.berth.runtime.container.ContainerRecord;
import dev.berth.runtime.container.ContainerState;
import dev.berth.runtime.container.ExecResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Containers through RuntimeCore with real runc + conmon, as root: exits, reasons, stop, OOM, exec, logs. */
@Tag("host")
class RuntimeCoreContainerTest {

    /** sh as PID 1 ignores SIGTERM unless it traps it. */
    private static final String SLEEPER = "trap 'exit 143' TERM; sleep 1000 & wait";

    private RuntimeFixture fixture;
    private String pod;

    @BeforeEach
    void setUp() {
        fixture = new RuntimeFixture();
        pod = fixture.runPod("web");
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    void echoExitsZeroWithReasonCompletedAndWritesTheLog() throws Exception {
        String id = fixture.runContainer(pod, RuntimeFixture.container("echo", "echo hello"));
        ContainerRecord exited = fixture.awaitState(id, ContainerState.EXITED);
        assertEquals(0, exited.exitCode());
        assertEquals("Completed", exited.reason());
        assertTrue(exited.startedAt() > 0 && exited.finishedAt() >= exited.startedAt());
        assertTrue(exited.createdAt() <= exited.startedAt());
        assertEquals(OverlayRootfsProvider.BUSYBOX_ID, exited.imageId());
        assertEquals(OverlayRootfsProvider.BUSYBOX_REF, exited.imageRef());
        Path log = fixture.logOf(exited);
        assertEquals(Path.of(fixture.core.sandboxes().status(pod).logDirectory(), "echo/0.log"), log);
        String text = Files.readString(log);
        assertTrue(text.matches("(?s)\\S+ stdout F hello\\n"), text);
    }

    @Test
    void anExitedContainersRootIsUnmountedAndRemovalTakesItsDirectoriesAtOnce() throws Exception {
        String id = fixture.runContainer(pod, RuntimeFixture.container("note", "echo kept > /tmp/note"));
        fixture.awaitState(id, ContainerState.EXITED);
        Path rootfs = fixture.images.dirOf(id);
        Path bundle = fixture.config.stateDir().resolve("containers").resolve(id);
        Path record = fixture.config.rootDir().resolve("containers").resolve(id);
        // Unmounted with the exit; what the container wrote stays until it is removed.
        assertFalse(MountTable.current().isMountPoint(rootfs.resolve("merged")));
        assertEquals("kept\n", Files.readString(rootfs.resolve("upper/tmp/note")));
        assertTrue(Files.isRegularFile(bundle.resolve("config.json")));

        fixture.core.containers().remove(id);

        assertFalse(Files.exists(rootfs));
        assertFalse(Files.exists(bundle));
        assertFalse(Files.exists(record));
        Path trash = fixture.config.stateDir().resolve("trash");
        RuntimeFixture.eventually("the removed bundle's files deleted", () -> entries(trash).isEmpty());
    }

    @Test
    void whatTheTrashHeldWhenTheDaemonStoppedIsDeletedAfterARestart() throws Exception {
        Path trash = fixture.config.stateDir().resolve("trash");
        Files.createDirectories(trash.resolve("left-1/attach-dir"));
        Files.writeString(trash.resolve("left-1/config.json"), "{}");

        fixture.restart();

        RuntimeFixture.eventually("the trash emptied", () -> entries(trash).isEmpty());
    }

    private static List<Path> entries(Path dir) {
        try (Stream<Path> list = Files.list(dir)) {
            return list.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void nonZeroExitHasReasonError() throws Exception {
        String id = fixture.runContainer(pod, RuntimeFixture.container("fail", "echo oops >&2; exit 3"));
        ContainerRecord exited = fixture.awaitState(id, ContainerState.EXITED);
        assertEquals(3, exited.exitCode());
        assertEquals("Error", exited.reason());
        assertTrue(Files.readString(fixture.logOf(exited)).contains(" stderr F oops"));
    }

    /**
     * Waits until the container's shell has installed its trap for {@code signal}: a signal that comes earlier is
     * ignored by the namespace's init, and the stop would end in SIGKILL.
     */
    private void awaitTrapped(String id, int signal) throws Exception {
        Path status = Path.of("/proc", String.valueOf(fixture.core.containers().status(id).pid()), "status");
        long bit = 1L << (signal - 1);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            String caught = Files.readAllLines(status).stream().filter(l -> l.startsWith("SigCgt:")).findFirst()
                    .orElseThrow().substring("SigCgt:".length()).strip();
            if ((Long.parseUnsignedLong(caught, 16) & bit) != 0) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("container " + id + " never trapped signal " + signal);
    }

    @Test
    void stopSendsTheStopSignalFirst() throws Exception {
        String id = fixture.runContainer(pod, RuntimeFixture.container("sleeper", SLEEPER));
        fixture.awaitState(id, ContainerState.RUNNING);
        awaitTrapped(id, 15);
        fixture.core.containers().stop(id, Duration.ofSeconds(30));
        ContainerRecord stopped = fixture.core.containers().status(id);
        assertEquals(ContainerState.EXITED, stopped.state());
        assertEquals(143, stopped.exitCode());
        assertEquals("Error", stopped.reason());
    }

    @Test
    void stopSignalComesFromTheConfigOrTheImage() throws Exception {
        String fromImage = fixture.runContainer(pod, RuntimeFixture.container("usr1", "trap 'exit 42' USR1; "
                + "sleep 1000 & wait").setImage(dev.berth.proto.runtime.v1.ImageSpec.newBuilder()
                .setImage("busybox-usr1")));
        String fromConfig = fixture.runContainer(pod, RuntimeFixture.container("usr2", "trap 'exit 43' USR2; "
                + "sleep 1000 & wait").setStopSignal(Signal.SIGUSR2));
        assertEquals("SIGUSR1", fixture.core.containers().status(fromImage).stopSignal());
        assertEquals("SIGUSR2", fixture.core.containers().status(fromConfig).stopSignal());
        fixture.awaitState(fromImage, ContainerState.RUNNING);
        fixture.awaitState(fromConfig, ContainerState.RUNNING);
        awaitTrapped(fromImage, 10);
        awaitTrapped(fromConfig, 12);
        fixture.core.containers().stop(fromImage, Duration.ofSeconds(30));
        fixture.core.containers().stop(fromConfig, Duration.ofSeconds(30));
        assertEquals(42, fixture.core.containers().status(fromImage).exitCode());
        assertEquals(43, fixture.core.containers().status(fromConfig).exitCode());
    }

    @Test
    void aProcessIgnoringTheSignalIsKilledAfterTheTimeout() throws Exception {
        String id = fixture.runContainer(pod, RuntimeFixture.container("stubborn",
                "trap '' TERM; echo ready; while true; do sleep 1; done"));
        fixture.awaitState(id, ContainerState.RUNNING);
        RuntimeFixture.eventually("ready", () -> logContains(id, "ready"));
        long started = System.nanoTime();
        fixture.core.containers().stop(id, Duration.ofSeconds(1));
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        ContainerRecord stopped = fixture.core.containers().status(id);
        assertEquals(137, stopped.exitCode());
        assertEquals("Error", stopped.reason());
        assertTrue(tookMs >= 900, "SIGKILL came before the timeout: " + tookMs + " ms");
    }

    @Test
    void timeoutZeroKillsAtOnce() throws Exception {
        String id = fixture.runContainer(pod, RuntimeFixture.container("stubborn",
                "trap '' TERM; while true; do sleep 1; done"));
        fixture.awaitState(id, ContainerState.RUNNING);
        fixture.core.containers().stop(id, Duration.ZERO);
        assertEquals(137, fixture.core.containers().status(id).exitCode());
    }

    @Test
    void outOfMemoryIsReportedAsOomKilled() throws Exception {
        var config = RuntimeFixture.container("hog", "x=a; while true; do x=$x$x; done")
                .setLinux(RuntimeFixture.container("hog", "").getLinux().toBuilder()
                        .setResources(LinuxContainerResources.newBuilder()
                                .setMemoryLimitInBytes(16L * 1024 * 1024)));
        String id = fixture.runContainer(pod, config);
        ContainerRecord exited = fixture.awaitState(id, ContainerState.EXITED);
        assertEquals("OOMKilled", exited.reason());
        assertEquals(137, exited.exitCode());
        assertEquals(16L * 1024 * 1024, exited.resources().memoryLimitInBytes());
    }

    @Test
    void execSyncReturnsOutputAndExitCode() throws Exception {
        String id = fixture.runContainer(pod, RuntimeFixture.container("sleeper", SLEEPER)
                .addEnvs(dev.berth.proto.runtime.v1.KeyValue.newBuilder().setKey("GREETING").setValue("hi")));
        fixture.awaitState(id, ContainerState.RUNNING);
        ExecResult ok = fixture.core.containers().execSync(id, List.of("sh", "-c", "echo $GREETING $IMAGE_VAR; "
                + "echo err >&2"), Duration.ofSeconds(10));
        assertEquals(0, ok.exitCode());
        assertEquals("hi busybox\n", new String(ok.stdout(), StandardCharsets.UTF_8));
        assertEquals("err\n", new String(ok.stderr(), StandardCharsets.UTF_8));
        ExecResult failed = fixture.core.containers().execSync(id, List.of("sh", "-c", "exit 7"), Duration.ZERO);
        assertEquals(7, failed.exitCode());
        assertArrayEquals(new byte[0], failed.stdout());
    }

    @Test
    void execSyncTimeoutIsDeadlineExceeded() throws Exception {
        String id = fixture.runContainer(pod, RuntimeFixture.container("sleeper", SLEEPER));
        fixture.awaitState(id, ContainerState.RUNNING);
        long started = System.nanoTime();
        BerthException e = assertThrows(BerthException.class, () -> fixture.core.containers().execSync(id,
                List.of("sleep", "60"), Duration.ofSeconds(1)));
        assertEquals(BerthException.Kind.DEADLINE_EXCEEDED, e.kind());
        assertTrue((System.nanoTime() - started) / 1_000_000_000 < 30, "timeout not enforced");
        // The container itself is unharmed.
        assertEquals(ContainerState.RUNNING, fixture.core.containers().status(id).state());
    }

    @Test
    void execSyncInAStoppedContainerIsFailedPrecondition() throws Exception {
        String id = fixture.runContainer(pod, RuntimeFixture.container("echo", "true"));
        fixture.awaitState(id, ContainerState.EXITED);
        BerthException e = assertThrows(BerthException.class, () -> fixture.core.containers().execSync(id,
                List.of("true"), Duration.ZERO));
        assertEquals(BerthException.Kind.FAILED_PRECONDITION, e.kind());
    }

    @Test
    void reopenLogStartsANewFileAfterARename() throws Exception {
        String id = fixture.runContainer(pod, RuntimeFixture.container("ticker",
                "trap 'exit 0' TERM; i=0; while true; do echo line$i; i=$((i+1)); sleep 0.05; done"));
        ContainerRecord running = fixture.awaitState(id, ContainerState.RUNNING);
        Path log = fixture.logOf(running);
        RuntimeFixture.eventually("first lines", () -> logContains(id, "line3"));
        Path rotated = log.resolveSibling("0.log.1");
        Files.move(log, rotated);
        fixture.core.containers().reopenLog(id);
        assertTrue(Files.exists(log));
        RuntimeFixture.eventually("lines in the new file", () -> logContains(id, "line"));
        fixture.core.containers().stop(id, Duration.ofSeconds(10));
        // Nothing lost across the rotation: the two files together hold consecutive lines.
        String all = Files.readString(rotated) + Files.readString(log);
        List<Integer> numbers = all.lines().map(l -> Integer.parseInt(l.substring(l.indexOf("line") + 4)))
                .toList();
        for (int i = 0; i < numbers.size(); i++) {
            assertEquals(i, numbers.get(i));
        }
    }

    @Test
    void reopenLogOfAStoppedContainerFailsAndCreatesNoFile() throws Exception {
        String id = fixture.runContainer(pod, RuntimeFixture.container("echo", "echo bye"));
        ContainerRecord exited = fixture.awaitState(id, ContainerState.EXITED);
        Path log = fixture.logOf(exited);
        Files.move(log, log.resolveSibling("0.log.1"));
        BerthException e = assertThrows(BerthException.class, () -> fixture.core.containers().reopenLog(id));
        assertEquals(BerthException.Kind.FAILED_PRECONDITION, e.kind());
        assertFalse(Files.exists(log));
    }

    @Test
    void statsCoverCreatedAndRunningContainers() throws Exception {
        String created = fixture.createContainer(pod, RuntimeFixture.container("idle", SLEEPER));
        String running = fixture.runContainer(pod, RuntimeFixture.container("writer",
                "echo data > /tmp/file; " + SLEEPER));
        fixture.awaitState(running, ContainerState.RUNNING);
        RuntimeFixture.eventually("file written", () -> fixture.core.containers().stats(running).writableLayer()
                .usedBytes() > 0);
        var usages = fixture.core.containers().listStats(dev.berth.runtime.container.ContainerFilter.ALL);
        assertEquals(List.of(created, running), usages.stream().map(u -> u.container().id()).toList());
        var stats = fixture.core.containers().stats(running);
        assertTrue(stats.cgroup().isPresent());
        assertTrue(stats.cgroup().get().memoryWorkingSetBytes() > 0);
        assertTrue(stats.cgroup().get().cpuUsageNanos() > 0);
        assertTrue(stats.writableLayer().inodesUsed() > 0);
        assertTrue(stats.timestamp() > 0);
    }

    @Test
    void updateResourcesAppliesAndShowsInStatus() throws Exception {
        String id = fixture.runContainer(pod, RuntimeFixture.container("sleeper", SLEEPER));
        fixture.awaitState(id, ContainerState.RUNNING);
        fixture.core.containers().updateResources(id, LinuxContainerResources.newBuilder()
                .setCpuPeriod(100_000).setCpuQuota(50_000).setMemoryLimitInBytes(64L * 1024 * 1024).build());
        ContainerRecord updated = fixture.core.containers().status(id);
        assertEquals(50_000, updated.resources().cpuQuota());
        assertEquals(64L * 1024 * 1024, updated.resources().memoryLimitInBytes());
        assertEquals(64L * 1024 * 1024, fixture.core.containers().stats(id).cgroup().orElseThrow()
                .memoryLimitBytes());
    }

    @Test
    void attachNamesConmonsSocketOfARunningContainer() throws Exception {
        String id = fixture.runContainer(pod, RuntimeFixture.container("sleeper", SLEEPER).setStdin(true));
        fixture.awaitState(id, ContainerState.RUNNING);
        var target = fixture.core.containers().attach(id.substring(0, 10));
        assertEquals(id, target.containerId());
        assertTrue(target.stdin());
        assertTrue(Files.exists(target.socket()), target.socket().toString());
        fixture.core.containers().stop(id, Duration.ZERO);
        assertEquals(BerthException.Kind.FAILED_PRECONDITION, assertThrows(BerthException.class,
                () -> fixture.core.containers().attach(id)).kind());
    }

    @Test
    void startOfAMissingOrStartedContainerFails() throws Exception {
        assertEquals(BerthException.Kind.NOT_FOUND, assertThrows(BerthException.class,
                () -> fixture.core.containers().start("f".repeat(64))).kind());
        String id = fixture.runContainer(pod, RuntimeFixture.container("sleeper", SLEEPER));
        assertEquals(BerthException.Kind.FAILED_PRECONDITION, assertThrows(BerthException.class,
                () -> fixture.core.containers().start(id)).kind());
    }

    @Test
    void unknownImageIsNotFoundAndLeavesNothing() {
        BerthException e = assertThrows(BerthException.class, () -> fixture.createContainer(pod,
                RuntimeFixture.container("x", "true").setImage(dev.berth.proto.runtime.v1.ImageSpec.newBuilder()
                        .setImage("nope"))));
        assertEquals(BerthException.Kind.NOT_FOUND, e.kind());
        assertTrue(fixture.core.containers().list(dev.berth.runtime.container.ContainerFilter.ALL).isEmpty());
        // The name is free again.
        fixture.createContainer(pod, RuntimeFixture.container("x", "true"));
    }

    @Test
    void imageMayBeNamedByItsId() throws Exception {
        String id = fixture.runContainer(pod, RuntimeFixture.container("byid", "true")
                .setImage(dev.berth.proto.runtime.v1.ImageSpec.newBuilder().setImage(OverlayRootfsProvider.BUSYBOX_ID)
                        .setUserSpecifiedImage("busybox")));
        ContainerRecord record = fixture.awaitState(id, ContainerState.EXITED);
        assertEquals(OverlayRootfsProvider.BUSYBOX_ID, record.imageId());
        assertEquals("busybox", record.image().userSpecifiedImage());
    }

    private boolean logContains(String id, String text) {
        try {
            Path log = fixture.logOf(fixture.core.containers().status(id));
            return Files.exists(log) && Files.readString(log).contains(text);
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
