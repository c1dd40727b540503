package dev.berth.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.time.EpochNanos;
import dev.berth.proto.runtime.v1.NamespaceMode;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.runtime.container.ContainerFilter;
import dev.berth.runtime.container.ContainerRecord;
import dev.berth.runtime.container.ContainerState;
import dev.berth.runtime.sandbox.SandboxFilter;
import dev.berth.runtime.sandbox.SandboxRecord;
import dev.berth.runtime.sandbox.SandboxState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A daemon "killed" (its RuntimeCore dropped without any cleanup) while containers run, one container exiting
 * while it is down, and a new RuntimeCore opened on the same directories.
 */
@Tag("host")
class RecoveryTest {

    private static final String TICKER = "trap 'exit 0' TERM; i=0; while true; do echo $i; i=$((i+1)); "
            + "sleep 0.02; done";
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
    void everythingComesBackAfterAnAbruptRestart() throws Exception {
        String pod = fixture.runPod("rec");
        PodSandboxConfig.Builder sharedPid = fixture.pod("pid");
        sharedPid.getLinuxBuilder().getSecurityContextBuilder()
                .setNamespaceOptions(RuntimeFixture.namespaces(NamespaceMode.POD));
        String pidPod = fixture.core.sandboxes().run(sharedPid.build(), "");
        String lostPod = fixture.runPod("lost");

        String ticker = fixture.runContainer(pod, RuntimeFixture.container("ticker", TICKER)
                .putAnnotations("io.kubernetes.container.hash", "abc123"));
        String shortLived = fixture.runContainer(pod, RuntimeFixture.container("short", "sleep 2; exit 7"));
        String done = fixture.runContainer(pod, RuntimeFixture.container("done", "exit 3"));
        String created = fixture.createContainer(pod, RuntimeFixture.container("created", SLEEPER));
        var inPidPod = RuntimeFixture.container("member", SLEEPER);
        inPidPod.getLinuxBuilder().getSecurityContextBuilder()
                .setNamespaceOptions(RuntimeFixture.namespaces(NamespaceMode.POD));
        String member = fixture.runContainer(pidPod, inPidPod);
        fixture.awaitState(ticker, ContainerState.RUNNING);
        fixture.awaitState(done, ContainerState.EXITED);
        fixture.awaitState(member, ContainerState.RUNNING);
        RuntimeFixture.eventually("ticker logs", () -> logLines(ticker).size() > 5);

        Map<String, ContainerRecord> before = byId(fixture.core.containers().list(ContainerFilter.ALL));
        Map<String, SandboxRecord> sandboxesBefore = fixture.core.sandboxes().list(SandboxFilter.ALL).stream()
                .collect(Collectors.toMap(SandboxRecord::id, Function.identity()));
        int holderPid = sandboxesBefore.get(pidPod).pidHolderPid();

        // "kill -9": nothing is cleaned up, nothing watches exits any more.
        fixture.core.close();
        Path exitFile = fixture.config.stateDir().resolve("exits").resolve(shortLived);
        RuntimeFixture.eventually("short-lived container exits while berth is down", () -> Files.exists(exitFile));
        int linesWhileDown = logLines(ticker).size();
        fixture.host.pins().unpin(lostPod);
        Path halfMade = plantHalfMadeContainer(before.get(created));
        Path garbage = plantUnreadableRecord();

        fixture.restart();
        long now = EpochNanos.of(Instant.now());

        Map<String, ContainerRecord> after = byId(fixture.core.containers().list(ContainerFilter.ALL));
        assertEquals(before.keySet(), after.keySet());
        for (String id : before.keySet()) {
            ContainerRecord was = before.get(id);
            ContainerRecord is = after.get(id);
            assertEquals(was.labels(), is.labels());
            assertEquals(was.annotations(), is.annotations());
            assertEquals(was.logPath(), is.logPath());
            assertEquals(was.createdAt(), is.createdAt());
            assertEquals(was.imageId(), is.imageId());
            assertEquals(was.sandboxId(), is.sandboxId());
        }
        assertEquals(ContainerState.RUNNING, after.get(ticker).state());
        assertEquals(ContainerState.RUNNING, after.get(member).state());
        assertEquals(ContainerState.CREATED, after.get(created).state());
        assertEquals(ContainerState.EXITED, after.get(done).state());
        assertEquals(3, after.get(done).exitCode());
        assertEquals(before.get(done).finishedAt(), after.get(done).finishedAt());
        ContainerRecord exitedWhileDown = after.get(shortLived);
        assertEquals(ContainerState.EXITED, exitedWhileDown.state());
        assertEquals(7, exitedWhileDown.exitCode());
        assertEquals("Error", exitedWhileDown.reason());
        assertTrue(exitedWhileDown.finishedAt() > exitedWhileDown.startedAt());
        assertTrue(exitedWhileDown.finishedAt() <= now);
        assertEquals("abc123", after.get(ticker).annotations().get("io.kubernetes.container.hash"));

        Map<String, SandboxRecord> sandboxesAfter = fixture.core.sandboxes().list(SandboxFilter.ALL).stream()
                .collect(Collectors.toMap(SandboxRecord::id, Function.identity()));
        assertEquals(sandboxesBefore.keySet(), sandboxesAfter.keySet());
        assertEquals(SandboxState.READY, sandboxesAfter.get(pod).state());
        assertEquals(SandboxState.READY, sandboxesAfter.get(pidPod).state());
        assertEquals(holderPid, sandboxesAfter.get(pidPod).pidHolderPid());
        assertEquals(SandboxState.NOTREADY, sandboxesAfter.get(lostPod).state());
        assertEquals(sandboxesBefore.get(pod).labels(), sandboxesAfter.get(pod).labels());
        assertEquals(sandboxesBefore.get(pod).annotations(), sandboxesAfter.get(pod).annotations());
        assertEquals(sandboxesBefore.get(pod).createdAt(), sandboxesAfter.get(pod).createdAt());
        // The whole config each pod was run with, not one rebuilt from the fields above.
        assertEquals(fixture.pod("rec").build(), sandboxesAfter.get(pod).config());
        assertEquals(sharedPid.build(), sandboxesAfter.get(pidPod).config());

        assertFalse(Files.exists(halfMade), "half-made container left");
        assertFalse(Files.exists(garbage), "unreadable record left");

        // Exit watches are armed again, and the log kept flowing while berth was away.
        fixture.core.containers().stop(ticker, Duration.ofSeconds(10));
        assertEquals(0, fixture.core.containers().status(ticker).exitCode());
        List<Integer> numbers = logLines(ticker).stream().map(l -> Integer.parseInt(l.substring(
                l.lastIndexOf(' ') + 1))).toList();
        assertTrue(numbers.size() > linesWhileDown);
        for (int i = 0; i < numbers.size(); i++) {
            assertEquals(i, numbers.get(i), "gap in the log at line " + i);
        }
        // A container created before the restart can be started after it; names are still reserved.
        fixture.core.containers().start(created);
        fixture.awaitState(created, ContainerState.RUNNING);
        assertEquals(created, fixture.createContainer(pod, RuntimeFixture.container("created", SLEEPER)));
        assertEquals(pod, fixture.core.sandboxes().run(fixture.pod("rec").build(), ""));
    }

    @Test
    void aHalfDoneRunIsUndoneAndAHalfDoneStopCanBeFinished() throws Exception {
        String stopping = fixture.runPod("stopping");
        String running = fixture.runContainer(stopping, RuntimeFixture.container("c", SLEEPER));
        fixture.awaitState(running, ContainerState.RUNNING);
        String starting = fixture.runPod("starting");
        fixture.core.close();
        // berth died inside StopPodSandbox right after marking the pod, and inside RunPodSandbox after the pins.
        setState("sandboxes", stopping, "NOTREADY");
        setState("sandboxes", starting, "CREATING");

        fixture.restart();
        assertEquals(List.of(stopping), fixture.core.sandboxes().list(SandboxFilter.ALL).stream()
                .map(SandboxRecord::id).toList());
        assertFalse(Files.exists(fixture.config.rootDir().resolve("sandboxes").resolve(starting)));
        assertTrue(fixture.host.pins().find(starting).net() == null);
        // A restart never kills a workload, even in a pod that was being stopped.
        assertEquals(ContainerState.RUNNING, fixture.core.containers().status(running).state());
        assertTrue(fixture.host.pins().find(stopping).net() != null);

        fixture.core.sandboxes().stop(stopping);
        assertEquals(ContainerState.EXITED, fixture.core.containers().status(running).state());
        assertTrue(fixture.host.pins().find(stopping).net() == null);
        assertEquals(SandboxState.NOTREADY, fixture.core.sandboxes().status(stopping).state());
    }

    @Test
    void aPodRecordedBeforeConfigsWereStoredStillTakesContainersAndStops() throws Exception {
        String pod = fixture.runPod("old");
        // As berth 0.1.0 wrote it: the record has no "config".
        Path file = fixture.config.rootDir().resolve("sandboxes").resolve(pod).resolve("record.json");
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var node = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(file.toFile());
        assertTrue(node.has("config"));
        node.remove("config");
        Files.write(file, mapper.writeValueAsBytes(node));
        fixture.restart();
        assertNull(fixture.core.sandboxes().status(pod).config());

        String id = fixture.runContainer(pod, RuntimeFixture.container("c", "echo \"$(hostname) $HOSTNAME\""));
        fixture.awaitState(id, ContainerState.EXITED);
        assertEquals(List.of("old old"), logLines(id).stream().map(l -> l.split(" ", 4)[3]).toList());
        fixture.core.sandboxes().stop(pod);
        assertEquals(SandboxState.NOTREADY, fixture.core.sandboxes().status(pod).state());
    }

    private void setState(String kind, String id, String state) throws Exception {
        Path file = fixture.config.rootDir().resolve(kind).resolve(id).resolve("record.json");
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var node = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(file.toFile());
        node.put("state", state);
        Files.write(file, mapper.writeValueAsBytes(node));
    }

    /** A record left in CREATING state (berth died inside CreateContainer) with a prepared rootfs. */
    private Path plantHalfMadeContainer(ContainerRecord template) throws Exception {
        String id = "9".repeat(64);
        ContainerRecord halfMade = ContainerRecord.builder()
                .id(id)
                .sandboxId(template.sandboxId())
                .name("half")
                .state(ContainerState.CREATING)
                .image(template.image())
                .createdAt(template.createdAt())
                .runtimeHandler("runc")
                .fingerprint("x")
                .build();
        Path dir = fixture.config.rootDir().resolve("containers").resolve(id);
        Files.createDirectories(dir);
        Files.write(dir.resolve("record.json"), new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsBytes(halfMade));
        fixture.images.prepare(id, "busybox");
        return dir;
    }

    private Path plantUnreadableRecord() throws Exception {
        Path dir = fixture.config.rootDir().resolve("containers").resolve("8".repeat(64));
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("record.json"), "{\"id\": \"88");
        Files.writeString(dir.resolve(".record.json.tmp-1-1"), "{");
        return dir;
    }

    /** The ticker's log lines (read from the file: the core may be closed). */
    private List<String> logLines(String id) {
        try {
            return Files.readAllLines(Path.of(fixture.core.containers().status(id).logPath()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<String, ContainerRecord> byId(List<ContainerRecord> records) {
        return records.stream().collect(Collectors.toMap(ContainerRecord::id, Function.identity()));
    }
}
