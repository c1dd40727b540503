package dev.berth.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.NamespaceMode;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.runtime.container.ContainerState;
import dev.berth.runtime.host.cgroup.CgroupLayout;
import dev.berth.runtime.sandbox.SandboxState;
import dev.berth.runtime.testing.OwnThreads;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Pods with one PID namespace (PID mode POD): the holder is a plain process in the pod's namespaces and cgroup,
 * PID 1 for every container of the pod, gone with the pod, found again after a daemon restart.
 */
@Tag("host")
class SharedPidPodTest {

    private static final String SLEEPER = "trap 'exit 143' TERM; sleep 1000 & wait";

    private RuntimeFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new RuntimeFixture();
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    void theHolderIsAnUnprivilegedPid1InThePodsNamespacesAndCgroupAndGoesWithThePod() throws Exception {
        String pod = fixture.core.sandboxes().run(sharedPidPod("shared"), "");
        int holder = fixture.core.sandboxes().status(pod).pidHolderPid();
        assertTrue(holder > 0);
        String a = fixture.runContainer(pod, sharedPidContainer("a", "sleep 1001"));
        String b = fixture.runContainer(pod, sharedPidContainer("b", "sleep 1002"));
        fixture.awaitState(a, ContainerState.RUNNING);
        fixture.awaitState(b, ContainerState.RUNNING);

        // Each container sees the other's processes, and the holder as PID 1.
        String seenByB = exec(b, "ps -o pid,args");
        assertTrue(seenByB.contains("sleep 1001"), seenByB);
        assertTrue(seenByB.lines().anyMatch(l -> l.strip().equals("1 /catatonit -P")), seenByB);
        assertEquals(exec(a, "readlink /proc/self/ns/pid"), exec(b, "readlink /proc/self/ns/pid"));
        assertEquals(exec(a, "readlink /proc/self/ns/pid").strip(),
                Files.readSymbolicLink(Path.of("/proc/" + holder + "/ns/pid")).toString());
        // The holder shares the pod's network, IPC and UTS namespaces.
        for (String kind : List.of("net", "ipc", "uts")) {
            assertEquals(exec(a, "readlink /proc/self/ns/" + kind).strip(),
                    Files.readSymbolicLink(Path.of("/proc/" + holder + "/ns/" + kind)).toString(), kind);
        }
        // Unprivileged, without capabilities, and its root is not the host's.
        String status = Files.readString(Path.of("/proc/" + holder + "/status"));
        assertTrue(status.contains("\nUid:\t65535\t65535\t65535\t65535"), status);
        assertTrue(status.contains("\nCapEff:\t0000000000000000"), status);
        assertNotEquals(Path.of("/"), Files.readSymbolicLink(Path.of("/proc/" + holder + "/root")));
        // Started from a thread of the daemon that joined the pod's namespaces: none of its threads stays there.
        for (String kind : List.of("net", "ipc", "uts")) {
            OwnThreads.awaitNoneIn(kind, fixture.config.stateDir().resolve("ns").resolve(kind).resolve(pod));
        }
        // In a cgroup of its own under the pod's.
        String cgroup = holderCgroup(holder);
        assertTrue(cgroup.startsWith(fixture.host.cgroupParent() + "/"), cgroup);
        Path cgroupDir = CgroupLayout.detect().v1("pids", cgroup.substring(1)).orElseThrow();
        assertTrue(Files.isDirectory(cgroupDir));

        fixture.core.sandboxes().stop(pod);
        assertEquals(0, fixture.core.sandboxes().status(pod).pidHolderPid());
        RuntimeFixture.eventually("the holder is gone", () -> !Files.exists(Path.of("/proc/" + holder)));
        assertFalse(Files.exists(cgroupDir), "holder cgroup left");
        assertEquals(ContainerState.EXITED, fixture.core.containers().status(a).state());
        // Exited containers are deleted from the runtime when they exit; only their records stay.
        RuntimeFixture.eventually("exited containers deleted from runc", () -> fixture.ociContainers().isEmpty());
        fixture.core.sandboxes().remove(pod);
        assertEquals(List.of(), fixture.core.containers().list(dev.berth.runtime.container.ContainerFilter.ALL));
    }

    @Test
    void aRestartedDaemonFindsTheHolderAgainAndStopsIt() throws Exception {
        String pod = fixture.core.sandboxes().run(sharedPidPod("survivor"), "");
        int holder = fixture.core.sandboxes().status(pod).pidHolderPid();
        String before = fixture.runContainer(pod, sharedPidContainer("before", SLEEPER));
        fixture.awaitState(before, ContainerState.RUNNING);

        fixture.restart();
        assertEquals(SandboxState.READY, fixture.core.sandboxes().status(pod).state());
        assertEquals(holder, fixture.core.sandboxes().status(pod).pidHolderPid());
        // A container made after the restart joins the same PID namespace.
        String after = fixture.runContainer(pod, sharedPidContainer("after", SLEEPER));
        fixture.awaitState(after, ContainerState.RUNNING);
        String processes = exec(after, "ps -o pid,args");
        assertTrue(processes.lines().anyMatch(l -> l.strip().equals("1 /catatonit -P")), processes);
        assertEquals(2, processes.lines().filter(l -> l.strip().matches("\\d+ sleep 1000")).count(), processes);

        fixture.core.sandboxes().stop(pod);
        RuntimeFixture.eventually("the holder is gone", () -> !Files.exists(Path.of("/proc/" + holder)));
    }

    @Test
    void aHolderStartedButNeverRecordedIsKilledAtRestartAndTheRecordedOneStays() throws Exception {
        String pod = fixture.core.sandboxes().run(sharedPidPod("recorded"), "");
        int holder = fixture.core.sandboxes().status(pod).pidHolderPid();
        fixture.core.close();
        // What a daemon killed between starting a holder and recording it leaves: the launcher and its catatonit,
        // in no cgroup of a pod and named by no record.
        Path root = fixture.config.stateDir().toAbsolutePath().resolve("pidholder-root");
        Process stray = new ProcessBuilder("unshare", "--pid", "--kill-child", "--root=" + root,
                "--setuid=65535", "--setgid=65535", "--", "/catatonit", "-P").start();
        RuntimeFixture.eventually("the stray holder runs", () -> stray.descendants().findAny().isPresent());
        long strayHolder = stray.descendants().findAny().orElseThrow().pid();

        fixture.restart();
        assertTrue(stray.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "the stray launcher still runs");
        RuntimeFixture.eventually("the stray holder is gone", () -> !Files.exists(Path.of("/proc/" + strayHolder)));
        assertTrue(Files.exists(Path.of("/proc/" + holder)), "the recorded holder was killed");
        assertEquals(SandboxState.READY, fixture.core.sandboxes().status(pod).state());
        fixture.core.sandboxes().stop(pod);
        RuntimeFixture.eventually("the holder is gone", () -> !Files.exists(Path.of("/proc/" + holder)));
    }

    @Test
    void aHolderThatDiedWhileTheDaemonWasDownMakesThePodNotReady() throws Exception {
        String pod = fixture.core.sandboxes().run(sharedPidPod("orphaned"), "");
        int holder = fixture.core.sandboxes().status(pod).pidHolderPid();
        fixture.core.close();
        new ProcessBuilder("kill", "-9", Integer.toString(holder)).start().waitFor();
        RuntimeFixture.eventually("the holder is gone", () -> !Files.exists(Path.of("/proc/" + holder)));

        fixture.restart();
        assertEquals(SandboxState.NOTREADY, fixture.core.sandboxes().status(pod).state());
        fixture.core.sandboxes().stop(pod);
        assertEquals(0, fixture.core.sandboxes().status(pod).pidHolderPid());
    }

    @Test
    void aContainerThatExitedWhileTheDaemonWasDownIsDeletedFromTheRuntime() throws Exception {
        String pod = fixture.runPod("exits");
        String brief = fixture.runContainer(pod, RuntimeFixture.container("brief", SLEEPER));
        int init = fixture.awaitState(brief, ContainerState.RUNNING).pid();
        // The container's init is killed while nothing of berth watches it.
        fixture.core.close();
        new ProcessBuilder("kill", "-9", Integer.toString(init)).start().waitFor();
        Path exitFile = fixture.config.stateDir().resolve("exits").resolve(brief);
        RuntimeFixture.eventually("conmon records the exit", () -> Files.exists(exitFile));
        assertEquals(List.of(brief), fixture.ociContainers());

        fixture.restart();
        assertEquals(ContainerState.EXITED, fixture.core.containers().status(brief).state());
        RuntimeFixture.eventually("deleted from runc at recovery", () -> fixture.ociContainers().isEmpty());
        fixture.core.containers().remove(brief);
    }

    private PodSandboxConfig sharedPidPod(String name) {
        PodSandboxConfig.Builder config = fixture.pod(name);
        config.getLinuxBuilder().getSecurityContextBuilder()
                .setNamespaceOptions(RuntimeFixture.namespaces(NamespaceMode.POD));
        return config.build();
    }

    private static ContainerConfig.Builder sharedPidContainer(String name, String script) {
        ContainerConfig.Builder config = RuntimeFixture.container(name, script);
        config.getLinuxBuilder().getSecurityContextBuilder()
                .setNamespaceOptions(RuntimeFixture.namespaces(NamespaceMode.POD));
        return config;
    }

    /** The holder's cgroup in the pids hierarchy, as /proc says. */
    private static String holderCgroup(int pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/cgroup")).stream()
                .filter(l -> l.split(":")[1].equals("pids")).map(l -> l.split(":", 3)[2]).findFirst()
                .orElseThrow();
    }

    private String exec(String containerId, String script) {
        var result = fixture.core.containers().execSync(containerId, List.of("sh", "-c", script),
                Duration.ofSeconds(20));
        return new String(result.stdout(), StandardCharsets.UTF_8);
    }
}
