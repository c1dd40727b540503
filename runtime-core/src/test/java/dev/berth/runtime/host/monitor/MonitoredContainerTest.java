package dev.berth.runtime.host.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerResources;
import dev.berth.runtime.host.cgroup.CgroupStats;
import dev.berth.runtime.host.cgroup.CgroupStatsReader;
import dev.berth.runtime.host.oci.ContainerSpecBuilder;
import dev.berth.runtime.host.oci.OciSpec;
import dev.berth.runtime.host.oci.OciState;
import dev.berth.runtime.host.oci.PidMode;
import dev.berth.runtime.sandbox.PidHolder;
import dev.berth.runtime.testing.TestHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Real runc + conmon, as root: create, start, logs, exits, signals, OOM, exec, log reopen, stats, cleanup. */
@Tag("host")
class MonitoredContainerTest {

    private static final Pattern CRI_LINE = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2}) stdout F hello");
    private static final long WAIT_SECONDS = 60;
    private static final String SLEEPER = "trap 'exit 143' TERM; sleep 1000 & wait";

    private static CompletableFuture<ContainerExit> watch(TestHost host, SandboxFixture.Container c) {
        CompletableFuture<ContainerExit> exit = new CompletableFuture<>();
        host.exitWatcher().watch(c.id(), c.persistDir(), host.runtime(), exit::complete);
        return exit;
    }

    private static ContainerExit await(CompletableFuture<ContainerExit> exit) throws Exception {
        return exit.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** Waits for a condition the container produces asynchronously (no assertion on how long it takes). */
    private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never happened: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void echoesToTheCriLogAndReportsExitCodes() throws Exception {
        try (TestHost host = TestHost.create()) {
            SandboxFixture pod = new SandboxFixture(host);
            SandboxFixture.Container ok = pod.create(SandboxFixture.config("sh", "-c", "echo hello"));
            SandboxFixture.Container three = pod.create(SandboxFixture.config("sh", "-c", "echo err >&2; exit 3"));
            assertTrue(ok.monitor().pid() > 0);
            assertTrue(ok.monitor().conmonPid() > 0);
            assertTrue(Files.exists(ok.monitor().attachSocket()), "attach socket exists from create on");
            assertEquals("created", host.runtime().state(ok.id()).orElseThrow().status());

            CompletableFuture<ContainerExit> okExit = watch(host, ok);
            CompletableFuture<ContainerExit> threeExit = watch(host, three);
            Instant before = Instant.now().minusSeconds(1);
            host.runtime().start(ok.id());
            host.runtime().start(three.id());

            ContainerExit exit0 = await(okExit);
            assertEquals(0, exit0.exitCode());
            assertFalse(exit0.oomKilled());
            assertFalse(exit0.monitorLost());
            assertTrue(exit0.finishedAt().isAfter(before));
            assertEquals(3, await(threeExit).exitCode());

            List<String> lines = Files.readAllLines(ok.log());
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(CRI_LINE.matcher(lines.get(0)).matches(), lines.get(0));
            assertTrue(Files.readString(three.log()).contains(" stderr F err"));
            eventually("state stopped", () -> host.runtime().state(ok.id()).map(OciState::isStopped).orElse(false));

            // Recovery: a new watcher on an exit that already happened fires at once.
            try (ExitWatcher fresh = new ExitWatcher(host.conmon().settings().exitDir())) {
                CompletableFuture<ContainerExit> again = new CompletableFuture<>();
                fresh.watch(three.id(), three.persistDir(), host.runtime(), again::complete);
                assertEquals(3, await(again).exitCode());
            }
        }
    }

    @Test
    void stopsWithSigtermAndKillsWhatIgnoresIt() throws Exception {
        try (TestHost host = TestHost.create()) {
            SandboxFixture pod = new SandboxFixture(host);
            SandboxFixture.Container polite = pod.create(SandboxFixture.config("sh", "-c", SLEEPER));
            SandboxFixture.Container stubborn = pod.create(SandboxFixture.config("sh", "-c",
                    "trap '' TERM; echo ready; sleep 1000 & wait; sleep 1000 & wait"));
            CompletableFuture<ContainerExit> politeExit = watch(host, polite);
            CompletableFuture<ContainerExit> stubbornExit = watch(host, stubborn);
            host.runtime().start(polite.id());
            host.runtime().start(stubborn.id());
            eventually("stubborn trap set", () -> read(stubborn.log()).contains("ready"));

            assertTrue(host.runtime().kill(polite.id(), 15, false));
            assertEquals(143, await(politeExit).exitCode());

            assertTrue(host.runtime().kill(stubborn.id(), 15, false));
            assertFalse(stubbornExit.isDone(), "TERM is ignored");
            assertEquals("running", host.runtime().state(stubborn.id()).orElseThrow().status());
            assertTrue(host.runtime().kill(stubborn.id(), 9, true));
            assertEquals(137, await(stubbornExit).exitCode());
            eventually("stopped", () -> host.runtime().state(stubborn.id()).map(OciState::isStopped)
                    .orElse(false));
            assertFalse(host.runtime().kill(stubborn.id(), 9, false), "no longer running");
            assertFalse(host.runtime().kill("no-such-container", 9, false));
        }
    }

    @Test
    void outOfMemoryIsReportedAsOomKilled() throws Exception {
        try (TestHost host = TestHost.create()) {
            SandboxFixture pod = new SandboxFixture(host);
            long limit = 32L * 1024 * 1024;
            SandboxFixture.Container hog = pod.create(SandboxFixture.config("sh", "-c",
                    "x=0123456789abcdef; while true; do x=$x$x; done")
                    .setLinux(LinuxContainerConfig.newBuilder().setResources(LinuxContainerResources.newBuilder()
                            .setMemoryLimitInBytes(limit).setMemorySwapLimitInBytes(limit))));
            CompletableFuture<ContainerExit> exit = watch(host, hog);
            host.runtime().start(hog.id());
            ContainerExit result = await(exit);
            assertEquals(137, result.exitCode());
            assertTrue(result.oomKilled());
            assertTrue(Files.exists(new MonitorFiles(hog.persistDir()).oomFile()));
            assertTrue(new CgroupStatsReader(pod.layout).oomKills(hog.spec().linux().cgroupsPath()) >= 1);
        }
    }

    @Test
    void execSyncReturnsOutputExitCodeAndHonoursTimeouts() throws Exception {
        try (TestHost host = TestHost.create()) {
            SandboxFixture pod = new SandboxFixture(host);
            SandboxFixture.Container c = pod.create(SandboxFixture.config("sh", "-c", SLEEPER));
            host.runtime().start(c.id());
            Conmon conmon = host.conmon();

            ExecSyncResult result = conmon.execSync(c.id(), ContainerSpecBuilder.execProcess(c.spec(),
                    List.of("sh", "-c", "echo out; echo err >&2; hostname; exit 4"), false), Duration.ofSeconds(10));
            assertEquals(4, result.exitCode());
            assertFalse(result.timedOut());
            assertEquals("out\npod-0\n", new String(result.stdout(), StandardCharsets.UTF_8));
            assertEquals("err\n", new String(result.stderr(), StandardCharsets.UTF_8));

            ExecSyncResult noTimeout = conmon.execSync(c.id(), ContainerSpecBuilder.execProcess(c.spec(),
                    List.of("cat", "/etc/hostname"), false), Duration.ZERO);
            assertEquals(0, noTimeout.exitCode());
            assertEquals("pod-0\n", new String(noTimeout.stdout(), StandardCharsets.UTF_8));

            long started = System.nanoTime();
            ExecSyncResult slow = conmon.execSync(c.id(), ContainerSpecBuilder.execProcess(c.spec(),
                    List.of("sh", "-c", "sleep 37 & sleep 37"), false), Duration.ofSeconds(1));
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertTrue(slow.timedOut());
            assertEquals(-1, slow.exitCode());
            // Not a timing assertion: the command would take 37 s if the timeout were not enforced.
            assertTrue(tookMillis < 30_000, "returned after " + tookMillis + " ms");
            eventually("no process of the timed-out exec is left", () -> containerProcesses(pod, c).stream()
                    .noneMatch(cmd -> cmd.contains("37")));
            assertTrue(host.processesUsingStateDir().stream().noneMatch(pid -> cmdline(pid).contains("exec-")),
                    "no exec conmon left");
            assertTrue(containerProcesses(pod, c).stream().anyMatch(cmd -> cmd.contains("1000")),
                    "the container itself still runs");
            try (var execDirs = Files.list(host.conmon().settings().execDir())) {
                assertEquals(0, execDirs.count(), "exec scratch dirs are removed");
            }

            // A program the container does not have is the shell's 127, with the runtime's reason on stderr.
            ExecSyncResult missing = conmon.execSync(c.id(),
                    ContainerSpecBuilder.execProcess(c.spec(), List.of("/no/such/binary"), false),
                    Duration.ofSeconds(5));
            assertEquals(127, missing.exitCode());
            assertFalse(missing.timedOut());
            String reason = new String(missing.stderr(), StandardCharsets.UTF_8);
            assertTrue(reason.contains("/no/such/binary") && reason.contains("no such file"), reason);
        }
    }

    @Test
    void timedOutExecSyncReturnsOnceItsProcessesAreKilledAndReaped() throws Exception {
        try (TestHost host = TestHost.create()) {
            SandboxFixture pod = new SandboxFixture(host);
            SandboxFixture.Container c = pod.create(SandboxFixture.config("sh", "-c", SLEEPER));
            host.runtime().start(c.id());
            List<String> containerOnly = List.of(
                    "sh: sh -c " + SLEEPER,
                    "sleep: sleep 1000");
            eventually("the container's two processes run", () -> containerOnly.equals(pidNamespaceQuietly(c)));
            // The exec alone; a child in its process group; a child that left it with setsid.
            for (List<String> command : List.of(
                    List.of("sleep", "4321"),
                    List.of("sh", "-c", "sleep 4321 & sleep 4321"),
                    List.of("sh", "-c", "setsid sleep 4321 & sleep 4321"))) {
                ExecSyncResult result = host.conmon().execSync(c.id(), ContainerSpecBuilder.execProcess(c.spec(),
                        command, false), Duration.ofSeconds(1));
                // Looked at once, no wait and no retry: ExecSync returned, so nothing of the exec may be left, not
                // even a zombie for some other parent to reap.
                List<String> left = pidNamespace(c);
                List<Long> live = hostProcessesRunning("sleep 4321");
                assertTrue(result.timedOut(), command + " timed out");
                assertEquals(-1, result.exitCode(), command.toString());
                assertEquals(List.of(), live, command + ": processes running 'sleep 4321' on the host");
                assertEquals(containerOnly, left, command + ": processes in the container's PID namespace");
            }
            assertTrue(host.processesUsingStateDir().stream().noneMatch(pid -> cmdline(pid).contains("exec-")),
                    "no exec conmon left");
        }
    }

    @Test
    void reopenLogAfterRenameStartsANewFile() throws Exception {
        try (TestHost host = TestHost.create()) {
            SandboxFixture pod = new SandboxFixture(host);
            SandboxFixture.Container c = pod.create(SandboxFixture.config("sh", "-c",
                    "echo one; while true; do if [ -f /tmp/go ]; then rm /tmp/go; echo two; fi; sleep 0.05; done"));
            host.runtime().start(c.id());
            eventually("first line", () -> read(c.log()).contains("stdout F one"));

            Path rotated = c.log().resolveSibling(c.log().getFileName() + ".1");
            Files.move(c.log(), rotated);
            host.conmon().reopenLog(c.bundle());
            eventually("new log file", () -> Files.exists(c.log()));
            Files.writeString(c.bundle().resolve("rootfs/tmp/go"), "");
            eventually("second line in the new file", () -> read(c.log()).contains("stdout F two"));

            String old = read(rotated);
            assertTrue(old.contains("stdout F one"));
            assertFalse(old.contains("two"));
            assertFalse(read(c.log()).contains("one"));
        }
    }

    @Test
    void reopenAndResizeWithoutConmonAreFailedPrecondition() throws Exception {
        try (TestHost host = TestHost.create()) {
            SandboxFixture pod = new SandboxFixture(host);
            SandboxFixture.Container c = pod.create(SandboxFixture.config("true"));
            CompletableFuture<ContainerExit> exit = watch(host, c);
            host.runtime().start(c.id());
            await(exit);
            SandboxFixture.awaitExit(c.monitor().conmonPid());
            BerthException e = assertThrows(BerthException.class, () -> host.conmon().reopenLog(c.bundle()));
            assertEquals(BerthException.Kind.FAILED_PRECONDITION, e.kind());
            assertThrows(BerthException.class, () -> host.conmon().resize(c.bundle(), 24, 80));
        }
    }

    @Test
    void cgroupStatsOfARunningContainerAndCleanupLeavesNoCgroups() throws Exception {
        try (TestHost host = TestHost.create()) {
            SandboxFixture pod = new SandboxFixture(host);
            SandboxFixture.Container c = pod.create(SandboxFixture.config("sh", "-c",
                    "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo busy-done; " + SLEEPER));
            String cgroup = c.spec().linux().cgroupsPath();
            assertFalse(pod.cgroups.existing(cgroup).isEmpty());
            host.runtime().start(c.id());
            eventually("work done", () -> read(c.log()).contains("busy-done"));
            // "busy-done" is logged before the shell forks its sleep: wait for both to be in the cgroup.
            eventually("the shell and its sleep run", () -> new CgroupStatsReader(pod.layout).read(cgroup)
                    .orElseThrow().pids() >= 2);
            CgroupStats stats = new CgroupStatsReader(pod.layout).read(cgroup).orElseThrow();
            assertTrue(stats.cpuUsageNanos() > 0, stats.toString());
            assertTrue(stats.memoryUsageBytes() > 0, stats.toString());
            assertTrue(stats.memoryWorkingSetBytes() > 0, stats.toString());
            assertTrue(stats.pids() >= 2, stats.toString());
            assertTrue(stats.timestampNanos() > 0);

            CompletableFuture<ContainerExit> exit = watch(host, c);
            host.runtime().delete(c.id(), true);
            assertEquals(137, await(exit).exitCode());
            SandboxFixture.awaitExit(c.monitor().conmonPid());
            host.conmon().cleanup(c.id(), c.bundle());
            pod.cgroups.remove(cgroup);
            assertEquals(List.of(), pod.cgroups.existing(cgroup));
            assertTrue(new CgroupStatsReader(pod.layout).read(cgroup).isEmpty());
            assertFalse(Files.exists(host.conmon().attachSocket(c.id()).getParent()));
            assertFalse(Files.exists(c.bundle().resolve("ctl")));
            assertTrue(host.runtime().state(c.id()).isEmpty());
        }
    }

    @Test
    void updateChangesLimitsOfARunningContainerAndPauseResume() throws Exception {
        try (TestHost host = TestHost.create()) {
            SandboxFixture pod = new SandboxFixture(host);
            SandboxFixture.Container c = pod.create(SandboxFixture.config("sh", "-c", SLEEPER));
            host.runtime().start(c.id());
            String cgroup = c.spec().linux().cgroupsPath();
            host.runtime().update(c.id(), new OciSpec.Resources(null, new OciSpec.Memory(96L << 20, null, null,
                    null), new OciSpec.Cpu(256L, null, null, null, null), null, null, null));
            assertEquals(96L << 20, new CgroupStatsReader(pod.layout).read(cgroup).orElseThrow().memoryLimitBytes());
            Path shares = pod.layout.v1("cpu", dev.berth.runtime.host.cgroup.CgroupPaths.relative(cgroup))
                    .orElseThrow().resolve("cpu.shares");
            assertEquals("256", Files.readString(shares).strip());
            host.runtime().pause(c.id());
            assertEquals("paused", host.runtime().state(c.id()).orElseThrow().status());
            host.runtime().resume(c.id());
            assertEquals("running", host.runtime().state(c.id()).orElseThrow().status());
            BerthException missing = assertThrows(BerthException.class, () -> host.runtime().start("nope"));
            assertTrue(missing.getMessage().contains("nope"), missing.getMessage());
        }
    }

    @Test
    void conmonDeathFallsBackToTheRuntime() throws Exception {
        try (TestHost host = TestHost.create()) {
            SandboxFixture pod = new SandboxFixture(host);
            SandboxFixture.Container c = pod.create(SandboxFixture.config("sh", "-c", SLEEPER));
            host.runtime().start(c.id());
            CompletableFuture<ContainerExit> exit = watch(host, c);
            ProcessHandle conmon = ProcessHandle.of(c.monitor().conmonPid()).orElseThrow();
            conmon.destroyForcibly();
            conmon.onExit().get(WAIT_SECONDS, TimeUnit.SECONDS);
            // The container outlives its monitor; the watcher waits for the runtime to report it gone.
            assertTrue(host.runtime().state(c.id()).orElseThrow().isRunning());
            host.runtime().kill(c.id(), 9, true);
            ContainerExit lost = await(exit);
            assertTrue(lost.monitorLost());
            assertEquals(ContainerExit.UNKNOWN_EXIT_CODE, lost.exitCode());
        }
    }

    @Test
    void createFailureCarriesTheRuntimesErrorAndLeavesNothing() {
        try (TestHost host = TestHost.create()) {
            SandboxFixture pod = new SandboxFixture(host);
            BerthException e = assertThrows(BerthException.class,
                    () -> pod.create(SandboxFixture.config("/no/such/binary")));
            assertEquals(BerthException.Kind.INTERNAL, e.kind());
            assertTrue(e.getMessage().contains("/no/such/binary"), e.getMessage());
            assertTrue(host.runtime().state("x").isEmpty());
        }
    }

    @Test
    void ttyContainerWritesToTheLogToo() throws Exception {
        try (TestHost host = TestHost.create()) {
            SandboxFixture pod = new SandboxFixture(host);
            SandboxFixture.Container c = pod.create(SandboxFixture.config("sh", "-c", "echo hello"), true);
            assertNotNull(c.spec().process().terminal());
            CompletableFuture<ContainerExit> exit = watch(host, c);
            host.runtime().start(c.id());
            assertEquals(0, await(exit).exitCode());
            assertTrue(read(c.log()).contains("stdout F hello"), read(c.log()));
        }
    }

    @Test
    void resizeReachesTheContainersTerminal() throws Exception {
        try (TestHost host = TestHost.create()) {
            SandboxFixture pod = new SandboxFixture(host);
            SandboxFixture.Container c = pod.create(SandboxFixture.config("sh", "-c",
                    "echo ready; while true; do if [ -f /tmp/go ]; then rm /tmp/go; stty size; fi; sleep 0.05; done"),
                    true);
            host.runtime().start(c.id());
            eventually("started", () -> read(c.log()).contains("ready"));
            host.conmon().resize(c.bundle(), 40, 100);
            eventually("size applied", () -> {
                try {
                    Files.writeString(c.bundle().resolve("rootfs/tmp/go"), "");
                    Thread.sleep(100);
                } catch (IOException | InterruptedException e) {
                    return false;
                }
                return read(c.log()).contains("40 100");
            });
        }
    }

    @Test
    void podPidNamespaceIsSharedThroughThePidHolder() throws Exception {
        try (TestHost host = TestHost.create()) {
            SandboxFixture pod = new SandboxFixture(host);
            PidHolder.Process holder = pod.startPidHolder();
            SandboxFixture.Container member = pod.create(SandboxFixture.config("ps", "-o", "pid,args"), false,
                    PidMode.POD, Path.of("/proc/" + holder.pid() + "/ns/pid"));
            CompletableFuture<ContainerExit> exit = watch(host, member);
            host.runtime().start(member.id());
            assertEquals(0, await(exit).exitCode());
            String ps = read(member.log());
            assertTrue(ps.contains("stdout F     1 /catatonit -P"), ps);
        }
    }

    private static List<String> containerProcesses(SandboxFixture pod, SandboxFixture.Container c) {
        Path procs = pod.layout.v1("pids", dev.berth.runtime.host.cgroup.CgroupPaths.relative(
                c.spec().linux().cgroupsPath())).orElseThrow().resolve("cgroup.procs");
        try {
            return Files.readAllLines(procs).stream().filter(s -> !s.isBlank()).map(Long::parseLong)
                    .map(MonitoredContainerTest::cmdline).toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The processes of the container's PID namespace as {@code "comm: cmdline"}, in PID order, read through its
     * init's root (its own /proc); a zombie shows as {@code "comm: <defunct>"} (the kernel frees its cmdline).
     */
    private static List<String> pidNamespace(SandboxFixture.Container c) throws IOException {
        Path proc = Path.of("/proc/" + c.monitor().pid() + "/root/proc");
        List<String> processes = new ArrayList<>();
        try (var entries = Files.list(proc)) {
            for (Path dir : entries.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .sorted(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString()))).toList()) {
                try {
                    String stat = Files.readString(dir.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    boolean zombie = stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
                    String args = new String(Files.readAllBytes(dir.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ').strip();
                    processes.add(comm + ": " + (zombie ? "<defunct>" : args));
                } catch (IOException e) {
                    // reaped while we read: gone
                }
            }
        }
        return processes;
    }

    private static List<String> pidNamespaceQuietly(SandboxFixture.Container c) {
        try {
            return pidNamespace(c);
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Host PIDs whose command line is exactly {@code command} (arguments joined by spaces). */
    private static List<Long> hostProcessesRunning(String command) throws IOException {
        try (var entries = Files.list(Path.of("/proc"))) {
            return entries.map(p -> p.getFileName().toString()).filter(name -> name.matches("\\d+"))
                    .map(Long::parseLong).filter(pid -> cmdline(pid).strip().equals(command)).sorted().toList();
        }
    }

    private static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }
}
