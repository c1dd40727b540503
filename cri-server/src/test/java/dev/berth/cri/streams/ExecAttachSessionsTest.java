package dev.berth.cri.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.testing.streaming.ChannelWebSocketClient;
import dev.berth.testing.streaming.SpdyClient;
import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.cri.testing.Leftovers;
import dev.berth.proto.runtime.v1.AttachRequest;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerState;
import dev.berth.proto.runtime.v1.ExecRequest;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.proto.runtime.v1.StopContainerRequest;
import dev.berth.testing.image.BusyboxImages;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Exec and attach through the real daemon, conmon and runc, with a SPDY client of the tests' own. */
@Tag("host")
class ExecAttachSessionsTest {

    private static final String SUCCESS = "{\"metadata\":{},\"status\":\"Success\"}";

    static final TestRegistry registry = TestRegistry.start();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n");

    static StreamPods pods;
    static StreamPods.Pod pod;
    static String sleeper;

    @BeforeAll
    static void runPod() throws InterruptedException {
        PushedImage busybox = BusyboxImages.busybox(registry, "streams/busybox", "v1");
        berth.client().images().pullImage(PullImageRequest.newBuilder()
                .setImage(ImageSpec.newBuilder().setImage(busybox.reference())).build());
        pods = new StreamPods(berth, busybox.imageId());
        pod = pods.runPod("exec-attach", false);
        sleeper = pods.run(pod, "sleeper", ContainerConfig.newBuilder(), "sleep", "600");
    }

    @AfterAll
    static void removePod() {
        pods.remove(sleeper);
        pods.removePod(pod);
        registry.close();
        berth.stopDaemon();
        assertEquals(List.of(), Leftovers.processesUsing(berth.home(), berth.state()), "processes left behind");
        assertEquals(List.of(), Leftovers.podCgroupsUnder(berth.cgroupParent()), "pod cgroups left behind");
    }

    private static String execUrl(String container, boolean stdin, boolean stderr, boolean tty, String... cmd) {
        return berth.client().runtime().exec(ExecRequest.newBuilder().setContainerId(container)
                .addAllCmd(List.of(cmd)).setStdin(stdin).setStdout(true).setStderr(stderr).setTty(tty).build())
                .getUrl();
    }

    private static Map<String, String> type(String streamType) {
        return Map.of("streamtype", streamType);
    }

    @Test
    void execKeepsStdoutAndStderrApartAndReportsTheExitCode() throws Exception {
        String url = execUrl(sleeper, false, true, false, "sh", "-c", "echo out; echo err >&2; exit 3");
        try (SpdyClient client = SpdyClient.connect(url, "v4.channel.k8s.io")) {
            SpdyClient.Stream error = client.open(type("error"));
            SpdyClient.Stream stdout = client.open(type("stdout"));
            SpdyClient.Stream stderr = client.open(type("stderr"));
            assertEquals("out\n", stdout.readAll());
            assertEquals("err\n", stderr.readAll());
            String status = error.readAll();
            assertTrue(status.contains("NonZeroExitCode") && status.contains("\"message\":\"3\""), status);
        }
    }

    @Test
    void execOverWebSocketV5GivesChannelsAndTheExitCode() throws Exception {
        String url = execUrl(sleeper, false, true, false, "sh", "-c", "echo out; echo err >&2; exit 3");
        try (ChannelWebSocketClient client = ChannelWebSocketClient.connect(url, "v5.channel.k8s.io")) {
            assertTrue(client.awaitClosed());
            assertEquals("out\n", client.text(1));
            assertEquals("err\n", client.text(2));
            String status = client.text(3);
            assertTrue(status.contains("NonZeroExitCode") && status.contains("\"message\":\"3\""), status);
        }
    }

    @Test
    void stdinOnceEndsTheContainersStdinWhenTheAttacherCloses() throws Exception {
        String once = pods.run(pod, "once", ContainerConfig.newBuilder().setStdin(true).setStdinOnce(true), "cat");
        try {
            String url = attachUrl(once, false);
            try (SpdyClient client = SpdyClient.connect(url, "v4.channel.k8s.io")) {
                client.open(type("error"));
                SpdyClient.Stream stdin = client.open(type("stdin"));
                SpdyClient.Stream stdout = client.open(type("stdout"));
                stdin.write("hello\n");
                assertTrue(awaitText(stdout, "hello"));
                stdin.close();
                // cat saw its stdin end: the container exits.
                pods.awaitState(once, ContainerState.CONTAINER_EXITED);
            }
        } finally {
            pods.remove(once);
        }
    }

    @Test
    void catEndsWhenStdinEnds() throws Exception {
        String url = execUrl(sleeper, true, false, false, "cat");
        try (SpdyClient client = SpdyClient.connect(url, "v4.channel.k8s.io")) {
            SpdyClient.Stream error = client.open(type("error"));
            SpdyClient.Stream stdin = client.open(type("stdin"));
            SpdyClient.Stream stdout = client.open(type("stdout"));
            stdin.write("one\n");
            assertEquals("one\n", stdout.awaitBytes(4));
            stdin.write("two\n");
            stdin.close();
            assertEquals("one\ntwo\n", stdout.readAll());
            assertEquals(SUCCESS, error.readAll());
        }
    }

    @Test
    void catOnATtyEndsWhenStdinEndsAfterAWholeOrAPartLine() throws Exception {
        // The end of stdin is the terminal's end-of-file: after a line ends, one ^D; after part of a line, the
        // first ^D only hands that part to cat, a second one is its EOF.
        for (String typed : new String[] {"whole line\r", "part line"}) {
            String url = execUrl(sleeper, true, false, true, "cat");
            try (SpdyClient client = SpdyClient.connect(url, "v4.channel.k8s.io")) {
                SpdyClient.Stream error = client.open(type("error"));
                SpdyClient.Stream stdin = client.open(type("stdin"));
                SpdyClient.Stream stdout = client.open(type("stdout"));
                client.open(type("resize"));
                stdin.write(typed);
                if (typed.endsWith("\r")) {
                    // Echo and cat's copy: the line is through before stdin ends.
                    assertTrue(awaitText(stdout, "whole line\r\nwhole line"), stdout.awaitBytes(0));
                }
                stdin.close();
                String out = stdout.readAll();
                assertEquals(SUCCESS, error.readAll(), "cat did not end on stdin's end; it wrote: " + out);
                String line = typed.strip();
                assertEquals(2, out.split(line, -1).length - 1, "echo and cat's copy of [" + line + "]: " + out);
            }
        }
        awaitOnlyTheSleeperRuns();
    }

    @Test
    void execWithATtyHasATerminalThatSeesResizes() throws Exception {
        String url = execUrl(sleeper, true, false, true, "sh", "-c", "tty; while read line; do stty size; done");
        try (SpdyClient client = SpdyClient.connect(url, "v4.channel.k8s.io")) {
            SpdyClient.Stream error = client.open(type("error"));
            SpdyClient.Stream stdin = client.open(type("stdin"));
            SpdyClient.Stream stdout = client.open(type("stdout"));
            SpdyClient.Stream resize = client.open(type("resize"));
            assertTrue(stdout.awaitBytes(5).startsWith("/dev/pts/"), stdout.awaitBytes(5));
            resize.write("{\"Width\":123,\"Height\":45}\n");
            // The size travels through conmon's control FIFO, the typed line through the attach socket: ask again
            // until the new size shows.
            String seen = "";
            for (int i = 0; i < 200 && !seen.contains("45 123"); i++) {
                stdin.write("size?\r");
                seen = stdout.awaitBytes(seen.length() + 1);
            }
            assertTrue(seen.contains("45 123"), seen);
            assertTrue(seen.contains("size?"), "the terminal echoes what is typed: " + seen);
        }
    }

    @Test
    void execInAStoppedContainerIsRefused() throws Exception {
        String stopped = pods.run(pod, "stopped", ContainerConfig.newBuilder(), "sleep", "600");
        try {
            berth.client().runtime().stopContainer(StopContainerRequest.newBuilder().setContainerId(stopped)
                    .setTimeout(0).build());
            pods.awaitState(stopped, ContainerState.CONTAINER_EXITED);
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> execUrl(stopped, false, false, false, "true"));
            assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        } finally {
            pods.remove(stopped);
        }
    }

    @Test
    void twoAttachersSeeTheSameOutputOfAContainerThatEchoesItsStdin() throws Exception {
        for (boolean tty : new boolean[] {false, true}) {
            String echo = pods.run(pod, "echo-" + tty, ContainerConfig.newBuilder().setStdin(true).setTty(tty),
                    "cat");
            try {
                String url1 = attachUrl(echo, tty);
                String url2 = attachUrl(echo, tty);
                try (SpdyClient first = SpdyClient.connect(url1, "v4.channel.k8s.io");
                     SpdyClient second = SpdyClient.connect(url2, "v4.channel.k8s.io")) {
                    SpdyClient.Stream error1 = first.open(type("error"));
                    SpdyClient.Stream in1 = first.open(type("stdin"));
                    SpdyClient.Stream out1 = first.open(type("stdout"));
                    second.open(type("error"));
                    SpdyClient.Stream in2 = second.open(type("stdin"));
                    SpdyClient.Stream out2 = second.open(type("stdout"));
                    if (tty) {
                        // A tty session has a resize stream; the server starts once every stream is there.
                        first.open(type("resize"));
                        second.open(type("resize"));
                    }
                    // An attacher whose own input came back is connected; then both must see the same output.
                    in1.write("first\n");
                    assertTrue(awaitText(out1, "first"), "tty " + tty + ", attach error: " + error1.awaitBytes(0));
                    in2.write("second\n");
                    assertTrue(awaitText(out2, "second"), "tty " + tty + " out1 [" + out1.awaitBytes(0)
                            + "] out2 [" + out2.awaitBytes(0) + "]");
                    in1.write("ping\n");
                    assertTrue(awaitText(out1, "ping"));
                    assertTrue(awaitText(out2, "ping"));
                }
                // Detaching left the container running.
                pods.awaitState(echo, ContainerState.CONTAINER_RUNNING);
            } finally {
                pods.remove(echo);
            }
        }
    }

    /** Waits (up to the client's 30 s) until {@code text} arrived on the stream. */
    private static boolean awaitText(SpdyClient.Stream stream, String text) throws InterruptedException {
        String seen = stream.awaitBytes(1);
        while (!seen.contains(text)) {
            String more = stream.awaitBytes(seen.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1);
            if (more.equals(seen)) {
                return false;
            }
            seen = more;
        }
        return true;
    }

    private static String attachUrl(String id, boolean tty) {
        return berth.client().runtime().attach(AttachRequest.newBuilder().setContainerId(id).setStdin(true)
                .setStdout(true).setTty(tty).build()).getUrl();
    }

    @Test
    void manyExecsAndExecsClosedMidStreamLeaveNothingBehind() throws Exception {
        long fdsBefore = openFds();
        for (int i = 0; i < 200; i++) {
            String url = execUrl(sleeper, false, false, false, "true");
            try (SpdyClient client = SpdyClient.connect(url, "v4.channel.k8s.io")) {
                SpdyClient.Stream error = client.open(type("error"));
                client.open(type("stdout")).readAll();
                assertEquals(SUCCESS, error.readAll());
            }
        }
        // Clients that vanish while the exec runs: its whole tree (a background child too) is killed. (A client's
        // end also ends its stdin, so these execs take none: one that ends on stdin's EOF would exit on its own
        // first and leave its background children, as any exec's orphans stay in the container.)
        for (int i = 0; i < 50; i++) {
            closeOnceStarted("echo started; sleep 600 & exec sleep 601");
        }
        awaitOnlyTheSleeperRuns();
        awaitNoSessionThreads();
        long fdsAfter = openFds();
        assertTrue(fdsAfter <= fdsBefore + 10, "fds before " + fdsBefore + ", after " + fdsAfter);
    }

    @Test
    void execsClosedWhileTheyForkLeaveNoChildBehind() throws Exception {
        // The shell forks without pause, so the client's end (and berth's stop of the shell) lands inside a fork
        // most of the time; the child that fork makes must be found and killed too.
        for (int i = 0; i < 20; i++) {
            closeOnceStarted(
                    "echo started; i=0; while [ $i -lt 500 ]; do sleep 600 & i=$((i+1)); done; exec sleep 601");
        }
        awaitOnlyTheSleeperRuns();
    }

    /** Runs {@code script} (which first prints "started") as an exec in the sleeper and vanishes once it printed. */
    private static void closeOnceStarted(String script) throws Exception {
        String url = execUrl(sleeper, false, false, false, "sh", "-c", script);
        SpdyClient client = SpdyClient.connect(url, "v4.channel.k8s.io");
        client.open(type("error"));
        SpdyClient.Stream stdout = client.open(type("stdout"));
        assertTrue(stdout.awaitBytes(8).startsWith("started"));
        client.close();
    }

    /** The sleeper's cgroup holds only its own process once every exec is gone. */
    private static void awaitOnlyTheSleeperRuns() throws InterruptedException, IOException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            List<String> procs = containerProcesses(sleeper);
            if (procs.size() == 1) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("processes left in the container: " + describe(procs));
            }
            Thread.sleep(20);
        }
    }

    /** Each process as its stat line (PID, command, state, parent, group, session) and command line. */
    private static List<String> describe(List<String> pids) {
        return pids.stream().map(pid -> {
            try {
                String cmdline = Files.readString(Path.of("/proc", pid, "cmdline")).replace('\0', ' ').strip();
                String stat = Files.readString(Path.of("/proc", pid, "stat"));
                String head = String.join(" ", List.of(stat.split(" ")).subList(0, 6));
                return head + " [" + cmdline + "]";
            } catch (IOException gone) {
                return pid + " (gone)";
            }
        }).toList();
    }

    private static List<String> containerProcesses(String id) throws IOException {
        try (Stream<Path> dirs = Files.walk(Path.of("/sys/fs/cgroup/pids"))) {
            Path dir = dirs.filter(p -> p.getFileName().toString().endsWith(id)).findFirst()
                    .orElseThrow(() -> new AssertionError("no pids cgroup for " + id));
            return Files.readAllLines(dir.resolve("cgroup.procs"));
        }
    }

    /** The daemon runs in this JVM: its per-session threads (I/O, exit wait, kill) end with the sessions. */
    private static void awaitNoSessionThreads() throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            List<String> left = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                    .filter(n -> n.startsWith("exec-") || n.startsWith("attach-io")).toList();
            if (left.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("session threads left: " + left);
            }
            Thread.sleep(20);
        }
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
