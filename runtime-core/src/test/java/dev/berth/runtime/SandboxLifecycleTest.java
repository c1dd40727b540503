package dev.berth.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.DNSConfig;
import dev.berth.proto.runtime.v1.NamespaceMode;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.runtime.container.ContainerFilter;
import dev.berth.runtime.container.ContainerRecord;
import dev.berth.runtime.container.ContainerState;
import dev.berth.runtime.sandbox.NamespaceModes;
import dev.berth.runtime.sandbox.SandboxFilter;
import dev.berth.runtime.sandbox.SandboxRecord;
import dev.berth.runtime.sandbox.SandboxState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Pod sandboxes through RuntimeCore with real namespaces, runc and conmon, as root. */
@Tag("host")
class SandboxLifecycleTest {

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
    void statusShowsTheSandboxAsGiven() {
        long before = dev.berth.common.time.EpochNanos.of(Instant.now());
        PodSandboxConfig config = fixture.pod("web").putLabels("app", "web")
                .putAnnotations("kubernetes.io/config.seen", "2026-11-01T00:00:00Z").build();
        String id = fixture.core.sandboxes().run(config, "");
        assertTrue(id.matches("[0-9a-f]{64}"));
        SandboxRecord status = fixture.core.sandboxes().status(id);
        assertEquals(SandboxState.READY, status.state());
        assertEquals("web", status.metadata().name());
        assertEquals("default", status.metadata().namespace());
        assertEquals("uid-web", status.metadata().uid());
        assertEquals(config.getLabelsMap(), status.labels());
        assertEquals(config.getAnnotationsMap(), status.annotations());
        assertEquals(new NamespaceModes(dev.berth.runtime.sandbox.NamespaceMode.POD,
                dev.berth.runtime.sandbox.NamespaceMode.CONTAINER, dev.berth.runtime.sandbox.NamespaceMode.POD, ""),
                status.namespaces());
        assertEquals("runc", status.runtimeHandler());
        assertEquals("", status.ip());
        assertTrue(status.createdAt() >= before && status.createdAt() <= before + 60_000_000_000L);
        assertEquals(fixture.host.cgroupParent(), status.cgroupParent());
    }

    @Test
    void invalidConfigsAreRejectedNamingTheField() {
        assertInvalid(fixture.pod("x").clearMetadata().build(), "metadata");
        assertInvalid(withMetadata(fixture.pod("x"), "", "ns", "uid"), "metadata.name");
        assertInvalid(withMetadata(fixture.pod("x"), "n", "", "uid"), "metadata.namespace");
        assertInvalid(withMetadata(fixture.pod("x"), "n", "ns", ""), "metadata.uid");
        PodSandboxConfig.Builder badSysctl = fixture.pod("x");
        badSysctl.getLinuxBuilder().putSysctls("vm.swappiness", "10");
        assertInvalid(badSysctl.build(), "vm.swappiness");
        BerthException e = assertThrows(BerthException.class,
                () -> fixture.core.sandboxes().run(fixture.pod("x").build(), "kata"));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(fixture.core.sandboxes().list(SandboxFilter.ALL).isEmpty());
    }

    private void assertInvalid(PodSandboxConfig config, String field) {
        BerthException e = assertThrows(BerthException.class, () -> fixture.core.sandboxes().run(config, ""));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }

    private static PodSandboxConfig withMetadata(PodSandboxConfig.Builder builder, String name, String namespace,
            String uid) {
        builder.getMetadataBuilder().setName(name).setNamespace(namespace).setUid(uid);
        return builder.build();
    }

    @Test
    void containersOfAPodShareLocalhostAndIpc() throws Exception {
        String pod = fixture.runPod("pair");
        String server = fixture.runContainer(pod, RuntimeFixture.container("server",
                "echo token > /dev/shm/shared; while true; do echo hello | nc -l -p 8080; done"));
        String client = fixture.runContainer(pod, RuntimeFixture.container("client", SLEEPER));
        fixture.awaitState(server, ContainerState.RUNNING);
        fixture.awaitState(client, ContainerState.RUNNING);
        RuntimeFixture.eventually("server answers", () -> exec(client, "nc 127.0.0.1 8080 </dev/null")
                .contains("hello"));
        assertEquals("token\n", exec(client, "cat /dev/shm/shared"));
        assertEquals(exec(server, "readlink /proc/self/ns/ipc"), exec(client, "readlink /proc/self/ns/ipc"));
        assertEquals(exec(server, "readlink /proc/self/ns/net"), exec(client, "readlink /proc/self/ns/net"));
        // Each container has its own PID namespace (pod PID mode CONTAINER).
        assertNotEquals(exec(server, "readlink /proc/self/ns/pid"), exec(client, "readlink /proc/self/ns/pid"));
    }

    @Test
    void hostnameHostsAndResolvConfComeFromThePodConfig() throws Exception {
        PodSandboxConfig config = fixture.pod("dns").setHostname("dns-0")
                .setDnsConfig(DNSConfig.newBuilder().addServers("10.96.0.10")
                        .addSearches("default.svc.cluster.local").addSearches("svc.cluster.local")
                        .addOptions("ndots:5"))
                .build();
        String pod = fixture.core.sandboxes().run(config, "");
        String id = fixture.runContainer(pod, RuntimeFixture.container("c", SLEEPER));
        fixture.awaitState(id, ContainerState.RUNNING);
        assertEquals("dns-0\n", exec(id, "hostname"));
        assertEquals("dns-0\n", exec(id, "cat /etc/hostname"));
        assertEquals("search default.svc.cluster.local svc.cluster.local\nnameserver 10.96.0.10\n"
                + "options ndots:5\n", exec(id, "cat /etc/resolv.conf"));
        assertTrue(exec(id, "cat /etc/hosts").contains("localhost"));
        assertTrue(exec(id, "echo $HOSTNAME").startsWith("dns-0"));
    }

    @Test
    void aHostNetworkPodUsesTheNodesNetworkAndHostname() throws Exception {
        PodSandboxConfig.Builder config = fixture.pod("hostnet").setHostname("");
        config.getLinuxBuilder().getSecurityContextBuilder().setNamespaceOptions(RuntimeFixture
                .namespaces(NamespaceMode.CONTAINER).toBuilder().setNetwork(NamespaceMode.NODE));
        String pod = fixture.core.sandboxes().run(config.build(), "");
        assertEquals(dev.berth.runtime.sandbox.NamespaceMode.NODE,
                fixture.core.sandboxes().status(pod).namespaces().network());
        String id = fixture.runContainer(pod, RuntimeFixture.container("c", SLEEPER));
        fixture.awaitState(id, ContainerState.RUNNING);
        String nodeName = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).strip();
        assertEquals(nodeName + "\n", exec(id, "hostname"));
        assertEquals(java.nio.file.Files.readString(java.nio.file.Path.of("/etc/hosts")), exec(id, "cat /etc/hosts"));
        assertEquals(java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/ns/net")) + "\n",
                exec(id, "readlink /proc/self/ns/net"));
    }

    @Test
    void aPodWithAPodPidNamespaceSharesOneInit() throws Exception {
        PodSandboxConfig.Builder config = fixture.pod("shared");
        config.getLinuxBuilder().getSecurityContextBuilder()
                .setNamespaceOptions(RuntimeFixture.namespaces(NamespaceMode.POD));
        String pod = fixture.core.sandboxes().run(config.build(), "");
        assertTrue(fixture.core.sandboxes().status(pod).pidHolderPid() > 0);
        var shared = RuntimeFixture.container("a", SLEEPER);
        shared.getLinuxBuilder().getSecurityContextBuilder()
                .setNamespaceOptions(RuntimeFixture.namespaces(NamespaceMode.POD));
        String a = fixture.runContainer(pod, shared);
        String b = fixture.runContainer(pod, shared.setMetadata(shared.getMetadata().toBuilder().setName("b")));
        fixture.awaitState(a, ContainerState.RUNNING);
        fixture.awaitState(b, ContainerState.RUNNING);
        assertEquals(exec(a, "readlink /proc/self/ns/pid"), exec(b, "readlink /proc/self/ns/pid"));
        String processes = exec(b, "ps -o pid,args");
        assertTrue(processes.contains("1 /catatonit -P"), processes);
        assertTrue(processes.contains("sleep 1000"), processes);
        fixture.core.sandboxes().stop(pod);
        assertEquals(0, fixture.core.sandboxes().status(pod).pidHolderPid());
        // The stopped containers are deleted from the runtime as they exit (the holder never was a container).
        RuntimeFixture.eventually("exited containers deleted from runc", () -> fixture.ociContainers().isEmpty());
    }

    @Test
    void listFiltersAreAndedAndIdsResolveByPrefix() throws Exception {
        String a = fixture.core.sandboxes().run(fixture.pod("a").putLabels("tier", "web").build(), "");
        String b = fixture.core.sandboxes().run(fixture.pod("b").putLabels("tier", "db").build(), "");
        fixture.core.sandboxes().stop(b);
        var sandboxes = fixture.core.sandboxes();
        assertEquals(List.of(a, b), ids(sandboxes.list(SandboxFilter.ALL)));
        assertEquals(List.of(a), ids(sandboxes.list(new SandboxFilter("", SandboxState.READY, Map.of()))));
        assertEquals(List.of(b), ids(sandboxes.list(new SandboxFilter("", null, Map.of("tier", "db")))));
        assertEquals(List.of(), ids(sandboxes.list(new SandboxFilter("", SandboxState.READY,
                Map.of("tier", "db")))));
        assertEquals(List.of(a), ids(sandboxes.list(new SandboxFilter(a.substring(0, 12), null, Map.of()))));
        assertEquals(a, sandboxes.status(a.substring(0, 8)).id());

        String ca = fixture.runContainer(a, RuntimeFixture.container("one", SLEEPER).putLabels("role", "main"));
        String cb = fixture.createContainer(a, RuntimeFixture.container("two", SLEEPER));
        fixture.awaitState(ca, ContainerState.RUNNING);
        var containers = fixture.core.containers();
        assertEquals(List.of(ca, cb), containerIds(containers.list(ContainerFilter.ALL)));
        assertEquals(List.of(cb), containerIds(containers.list(new ContainerFilter("", ContainerState.CREATED, "",
                Map.of()))));
        assertEquals(List.of(ca), containerIds(containers.list(new ContainerFilter("", null, a.substring(0, 10),
                Map.of("role", "main")))));
        assertEquals(List.of(), containerIds(containers.list(new ContainerFilter("", null, b, Map.of()))));
        assertEquals(List.of(cb), containerIds(containers.list(new ContainerFilter(cb.substring(0, 6), null, "",
                Map.of()))));
        assertEquals(ca, containers.status(ca.substring(0, 5)).id());
        assertEquals(BerthException.Kind.NOT_FOUND, assertThrows(BerthException.class,
                () -> containers.status("0".repeat(64))).kind());
        // A prefix that matches both pods is ambiguous (a one-character prefix shared by two random IDs is rare;
        // the empty prefix always is).
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, assertThrows(BerthException.class,
                () -> sandboxes.status("")).kind());
    }

    @Test
    void stopAndRemoveAreIdempotentAndAcceptMissingIds() throws Exception {
        String pod = fixture.runPod("gone");
        String running = fixture.runContainer(pod, RuntimeFixture.container("c", SLEEPER));
        String created = fixture.createContainer(pod, RuntimeFixture.container("d", SLEEPER));
        fixture.awaitState(running, ContainerState.RUNNING);
        fixture.core.sandboxes().stop(pod);
        fixture.core.sandboxes().stop(pod);
        assertEquals(SandboxState.NOTREADY, fixture.core.sandboxes().status(pod).state());
        ContainerRecord stopped = fixture.core.containers().status(running);
        assertEquals(ContainerState.EXITED, stopped.state());
        assertEquals(ContainerState.EXITED, fixture.core.containers().status(created).state());
        BerthException e = assertThrows(BerthException.class,
                () -> fixture.createContainer(pod, RuntimeFixture.container("late", SLEEPER)));
        assertEquals(BerthException.Kind.FAILED_PRECONDITION, e.kind());

        fixture.core.containers().stop(running, Duration.ofSeconds(5));
        fixture.core.containers().remove(created);
        fixture.core.containers().remove(created);
        fixture.core.sandboxes().remove(pod);
        fixture.core.sandboxes().remove(pod);
        assertEquals(BerthException.Kind.NOT_FOUND, assertThrows(BerthException.class,
                () -> fixture.core.sandboxes().status(pod)).kind());
        assertEquals(BerthException.Kind.NOT_FOUND, assertThrows(BerthException.class,
                () -> fixture.core.containers().status(running)).kind());
        assertEquals(BerthException.Kind.NOT_FOUND, assertThrows(BerthException.class,
                () -> fixture.createContainer(pod, RuntimeFixture.container("late", SLEEPER))).kind());

        String missing = "a".repeat(64);
        fixture.core.sandboxes().stop(missing);
        fixture.core.sandboxes().remove(missing);
        fixture.core.containers().stop(missing, Duration.ofSeconds(1));
        fixture.core.containers().remove(missing);
        assertEquals(List.of(), fixture.ociContainers());
    }

    @Test
    void stoppingAPodWithAGracePeriodSignalsEveryContainerFirst() throws Exception {
        String pod = fixture.runPod("graceful");
        String polite = fixture.runContainer(pod, RuntimeFixture.container("polite",
                "trap 'exit 42' TERM; sleep 1000 & wait"));
        String stubborn = fixture.runContainer(pod, RuntimeFixture.container("stubborn",
                "trap '' TERM; while true; do sleep 1; done"));
        fixture.awaitState(polite, ContainerState.RUNNING);
        fixture.awaitState(stubborn, ContainerState.RUNNING);
        fixture.core.sandboxes().stop(pod, Duration.ofSeconds(2));
        assertEquals(42, fixture.core.containers().status(polite).exitCode());
        assertEquals(137, fixture.core.containers().status(stubborn).exitCode());
    }

    @Test
    void aRemovedPodFreesItsName() {
        String first = fixture.runPod("again");
        fixture.core.sandboxes().remove(first);
        String second = fixture.runPod("again");
        assertNotEquals(first, second);
    }

    private String exec(String containerId, String script) {
        var result = fixture.core.containers().execSync(containerId, List.of("sh", "-c", script),
                Duration.ofSeconds(20));
        return new String(result.stdout(), StandardCharsets.UTF_8);
    }

    private static List<String> ids(List<SandboxRecord> sandboxes) {
        return sandboxes.stream().map(SandboxRecord::id).toList();
    }

    private static List<String> containerIds(List<ContainerRecord> containers) {
        return containers.stream().map(ContainerRecord::id).toList();
    }
}
