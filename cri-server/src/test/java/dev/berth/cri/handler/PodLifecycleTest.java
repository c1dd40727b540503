package dev.berth.cri.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerMetadata;
import dev.berth.proto.runtime.v1.ContainerState;
import dev.berth.proto.runtime.v1.ContainerStatus;
import dev.berth.proto.runtime.v1.ContainerStatusRequest;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.DNSConfig;
import dev.berth.proto.runtime.v1.ExecSyncRequest;
import dev.berth.proto.runtime.v1.ExecSyncResponse;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.Int64Value;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.LinuxSandboxSecurityContext;
import dev.berth.proto.runtime.v1.ListContainersRequest;
import dev.berth.proto.runtime.v1.ListPodSandboxRequest;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxFilter;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.PodSandboxState;
import dev.berth.proto.runtime.v1.PodSandboxStatusRequest;
import dev.berth.proto.runtime.v1.PodSandboxStatusResponse;
import dev.berth.proto.runtime.v1.RemoveContainerRequest;
import dev.berth.proto.runtime.v1.RemoveImageRequest;
import dev.berth.proto.runtime.v1.RemovePodSandboxRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.StartContainerRequest;
import dev.berth.proto.runtime.v1.StopContainerRequest;
import dev.berth.proto.runtime.v1.StopPodSandboxRequest;
import dev.berth.testing.cri.CriClient;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Pods and containers over the CRI socket as the kubelet drives them: real runc, conmon, overlay and bridge. */
@Tag("host")
class PodLifecycleTest {

    static final TestRegistry registry = TestRegistry.start();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n");

    static PushedImage busybox;

    @BeforeAll
    static void pullBusybox() {
        busybox = berth.pullBusybox(registry, "pods/busybox");
    }

    @AfterAll
    static void stopRegistryAndCheckLeftovers() {
        registry.close();
        berth.stopDaemon();
        berth.assertNothingLeft();
    }

    private static PodSandboxConfig pod(String name) {
        String uid = UUID.randomUUID().toString();
        return PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(name).setNamespace("default").setUid(uid))
                .setHostname(name)
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(berth.cgroupParent()))
                .setLogDirectory(berth.home().resolve("logs").resolve("default_" + name + "_" + uid).toString())
                .setDnsConfig(DNSConfig.newBuilder().addServers("10.96.0.10").addSearches("default.svc.cluster.local")
                        .addOptions("ndots:5"))
                .putLabels("io.kubernetes.pod.name", name)
                .putLabels("app", "lifecycle")
                .putAnnotations("berth.test/annotation", "kept exactly: \u00e9 \"quoted\"")
                .build();
    }

    private static String run(CriClient client, PodSandboxConfig config) {
        return client.runtime().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(config).build())
                .getPodSandboxId();
    }

    private static String create(CriClient client, String podId, PodSandboxConfig pod, String name,
                                 List<String> command) {
        return client.runtime().createContainer(CreateContainerRequest.newBuilder()
                .setPodSandboxId(podId)
                .setSandboxConfig(pod)
                .setConfig(ContainerConfig.newBuilder()
                        .setMetadata(ContainerMetadata.newBuilder().setName(name))
                        .setImage(ImageSpec.newBuilder().setImage(busybox.imageId())
                                .setUserSpecifiedImage(busybox.reference()))
                        .addAllCommand(command)
                        .setLogPath(name + "/0.log")
                        .putLabels("io.kubernetes.container.name", name)
                        .putAnnotations("io.kubernetes.container.restartCount", "0"))
                .build()).getContainerId();
    }

    private static ContainerStatus await(CriClient client, String id, Predicate<ContainerStatus> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        ContainerStatus status;
        do {
            status = client.runtime().containerStatus(ContainerStatusRequest.newBuilder().setContainerId(id).build())
                    .getStatus();
            if (condition.test(status)) {
                return status;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("condition not reached: " + status);
    }

    private static void removePod(CriClient client, String podId) {
        client.runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
        client.runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
    }

    @Test
    void podIsReadyWithAnIpAndKeepsLabelsAndAnnotationsExactly(CriClient client) {
        PodSandboxConfig config = pod("ready");
        String podId = run(client, config);
        try {
            PodSandboxStatusResponse status = client.runtime().podSandboxStatus(
                    PodSandboxStatusRequest.newBuilder().setPodSandboxId(podId).build());
            assertEquals(PodSandboxState.SANDBOX_READY, status.getStatus().getState());
            assertTrue(status.getStatus().getCreatedAt() > 1_600_000_000_000_000_000L);
            String subnetPrefix = berth.network().subnet().substring(0, berth.network().subnet().lastIndexOf('.'));
            assertTrue(status.getStatus().getNetwork().getIp().startsWith(subnetPrefix + "."),
                    status.getStatus().getNetwork().toString());
            assertEquals(config.getLabelsMap(), status.getStatus().getLabelsMap());
            assertEquals(config.getAnnotationsMap(), status.getStatus().getAnnotationsMap());
            // crictl passes short IDs.
            assertEquals(podId, client.runtime().podSandboxStatus(PodSandboxStatusRequest.newBuilder()
                    .setPodSandboxId(podId.substring(0, 12)).build()).getStatus().getId());
            assertEquals(1, client.runtime().listPodSandbox(ListPodSandboxRequest.newBuilder()
                    .setFilter(PodSandboxFilter.newBuilder().setId(podId)
                            .putLabelSelector("app", "lifecycle")).build()).getItemsCount());
            assertEquals(0, client.runtime().listPodSandbox(ListPodSandboxRequest.newBuilder()
                    .setFilter(PodSandboxFilter.newBuilder().setId(podId)
                            .putLabelSelector("app", "other")).build()).getItemsCount());
        } finally {
            removePod(client, podId);
        }
        // Stop and remove again, and of IDs that never existed: all fine (the kubelet retries).
        removePod(client, podId);
        removePod(client, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class, () -> client.runtime()
                .podSandboxStatus(PodSandboxStatusRequest.newBuilder().setPodSandboxId(podId).build()));
        assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
    }

    @Test
    void containerExitsAreReportedWithCodesReasonsAndCriLogs(CriClient client) throws Exception {
        PodSandboxConfig config = pod("exits");
        String podId = run(client, config);
        try {
            String ok = create(client, podId, config, "ok", List.of("sh", "-c", "echo hello; exit 0"));
            String failing = create(client, podId, config, "failing", List.of("sh", "-c", "echo oops >&2; exit 3"));
            for (String id : List.of(ok, failing)) {
                client.runtime().startContainer(StartContainerRequest.newBuilder().setContainerId(id).build());
            }
            ContainerStatus okStatus = await(client, ok, s -> s.getState() == ContainerState.CONTAINER_EXITED);
            ContainerStatus failStatus = await(client, failing,
                    s -> s.getState() == ContainerState.CONTAINER_EXITED);
            assertEquals(0, okStatus.getExitCode());
            assertEquals("Completed", okStatus.getReason());
            assertEquals(3, failStatus.getExitCode());
            assertEquals("Error", failStatus.getReason());
            assertTrue(okStatus.getFinishedAt() >= okStatus.getStartedAt() && okStatus.getStartedAt() > 0);
            assertEquals(busybox.imageId(), okStatus.getImageId());
            assertEquals("0", okStatus.getAnnotationsOrThrow("io.kubernetes.container.restartCount"));

            Path okLog = Path.of(okStatus.getLogPath());
            assertEquals(Path.of(config.getLogDirectory(), "ok", "0.log"), okLog);
            String okLine = Files.readString(okLog, StandardCharsets.UTF_8);
            assertTrue(okLine.matches("\\d{4}-\\d\\d-\\d\\dT\\S+ stdout F hello\\n"), okLine);
            String failLine = Files.readString(Path.of(failStatus.getLogPath()), StandardCharsets.UTF_8);
            assertTrue(failLine.matches("\\S+ stderr F oops\\n"), failLine);

            assertEquals(2, client.runtime().listContainers(ListContainersRequest.newBuilder().build())
                    .getContainersList().stream().filter(c -> c.getPodSandboxId().equals(podId)).count());
            client.runtime().removeContainer(RemoveContainerRequest.newBuilder().setContainerId(ok).build());
            client.runtime().removeContainer(RemoveContainerRequest.newBuilder().setContainerId(ok).build());
        } finally {
            removePod(client, podId);
        }
    }

    @Test
    void runningContainerServesTheHostExecsAndStops(CriClient client) throws Exception {
        PodSandboxConfig config = pod("server");
        String podId = run(client, config);
        try {
            String web = create(client, podId, config, "web",
                    List.of("httpd", "-f", "-p", "8080", "-h", "/etc"));
            client.runtime().startContainer(StartContainerRequest.newBuilder().setContainerId(web).build());
            await(client, web, s -> s.getState() == ContainerState.CONTAINER_RUNNING);
            String ip = client.runtime().podSandboxStatus(PodSandboxStatusRequest.newBuilder()
                    .setPodSandboxId(podId).build()).getStatus().getNetwork().getIp();

            ExecSyncResponse hostname = client.runtime().execSync(ExecSyncRequest.newBuilder().setContainerId(web)
                    .addAllCmd(List.of("cat", "/etc/hostname")).setTimeout(10).build());
            assertEquals(0, hostname.getExitCode());
            assertEquals("server", hostname.getStdout().toStringUtf8().strip());
            ExecSyncResponse resolv = client.runtime().execSync(ExecSyncRequest.newBuilder().setContainerId(web)
                    .addAllCmd(List.of("cat", "/etc/resolv.conf")).setTimeout(10).build());
            assertTrue(resolv.getStdout().toStringUtf8().contains("nameserver 10.96.0.10"), resolv.toString());
            assertTrue(resolv.getStdout().toStringUtf8().contains("search default.svc.cluster.local"));
            ExecSyncResponse failing = client.runtime().execSync(ExecSyncRequest.newBuilder().setContainerId(web)
                    .addAllCmd(List.of("sh", "-c", "echo bad >&2; exit 7")).setTimeout(10).build());
            assertEquals(7, failing.getExitCode());
            assertEquals("bad", failing.getStderr().toStringUtf8().strip());
            // A program the container does not have, or cannot execute: the shell's codes, the reason on stderr.
            ExecSyncResponse missing = client.runtime().execSync(ExecSyncRequest.newBuilder().setContainerId(web)
                    .addCmd("no-such-program").setTimeout(10).build());
            assertEquals(127, missing.getExitCode());
            assertTrue(missing.getStderr().toStringUtf8().contains("no-such-program"), missing.toString());
            ExecSyncResponse notExecutable = client.runtime().execSync(ExecSyncRequest.newBuilder()
                    .setContainerId(web).addCmd("/etc/passwd").setTimeout(10).build());
            assertEquals(126, notExecutable.getExitCode(), notExecutable.toString());

            HttpResponse<String> page = fetchWithRetry("http://" + ip + ":8080/hostname");
            assertEquals(200, page.statusCode());
            assertEquals("server", page.body().strip());

            client.runtime().stopContainer(StopContainerRequest.newBuilder().setContainerId(web).setTimeout(5)
                    .build());
            ContainerStatus stopped = await(client, web, s -> s.getState() == ContainerState.CONTAINER_EXITED);
            assertTrue(stopped.getExitCode() != 0, stopped.toString());
            client.runtime().stopContainer(StopContainerRequest.newBuilder().setContainerId(web).setTimeout(5)
                    .build());
        } finally {
            removePod(client, podId);
        }
        assertEquals(0, client.runtime().listContainers(ListContainersRequest.getDefaultInstance()).getContainersList()
                .stream().filter(c -> c.getPodSandboxId().equals(podId)).count(), "remove took the containers too");
    }

    @Test
    void createInAMissingPodIsNotFoundAndLeavesNothing(CriClient client) {
        PodSandboxConfig config = pod("ghost");
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> create(client,
                "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210", config, "c",
                List.of("true")));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertTrue(client.runtime().listContainers(ListContainersRequest.getDefaultInstance()).getContainersList()
                .stream().noneMatch(c -> c.getMetadata().getName().equals("c")));
    }

    @Test
    void stopAndRemoveOfObjectsThatDoNotExistSucceed(CriClient client) {
        int podsBefore = client.runtime().listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsCount();
        for (String id : List.of("3f2504e0-4f89-11d3-9a0c-0305e82c3301", "not/an id",
                "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543211")) {
            client.runtime().stopContainer(StopContainerRequest.newBuilder().setContainerId(id).build());
            client.runtime().removeContainer(RemoveContainerRequest.newBuilder().setContainerId(id).build());
            client.runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(id).build());
            client.runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(id).build());
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> client.runtime()
                    .containerStatus(ContainerStatusRequest.newBuilder().setContainerId(id).build()));
            assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode(), id);
            e = assertThrows(StatusRuntimeException.class, () -> client.runtime()
                    .podSandboxStatus(PodSandboxStatusRequest.newBuilder().setPodSandboxId(id).build()));
            assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode(), id);
        }
        client.images().removeImage(RemoveImageRequest.newBuilder()
                .setImage(ImageSpec.newBuilder().setImage("localhost:5999/never/pulled:1")).build());
        client.images().removeImage(RemoveImageRequest.newBuilder()
                .setImage(ImageSpec.newBuilder().setImage("sha256:" + "0".repeat(64))).build());
        assertEquals(podsBefore, client.runtime().listPodSandbox(ListPodSandboxRequest.getDefaultInstance())
                .getItemsCount());
        StatusRuntimeException empty = assertThrows(StatusRuntimeException.class, () -> client.runtime()
                .removeContainer(RemoveContainerRequest.newBuilder().setContainerId(" ").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, empty.getStatus().getCode());
        empty = assertThrows(StatusRuntimeException.class, () -> client.runtime()
                .stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId("").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, empty.getStatus().getCode());
    }

    @Test
    void podWithoutMetadataIsInvalidArgument(CriClient client) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> client.runtime().runPodSandbox(
                RunPodSandboxRequest.newBuilder().setConfig(PodSandboxConfig.newBuilder().setHostname("x")).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("metadata"), e.getStatus().getDescription());
    }

    @Test
    void podRunAsGroupWithoutRunAsUserIsInvalidArgumentAndLeavesNoSandbox(CriClient client) {
        PodSandboxConfig base = pod("grouponly");
        PodSandboxConfig config = base.toBuilder().setLinux(base.getLinux().toBuilder().setSecurityContext(
                LinuxSandboxSecurityContext.newBuilder().setRunAsGroup(Int64Value.newBuilder().setValue(1234))))
                .build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> removePod(client,
                run(client, config)));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("run_as_group"), e.getStatus().getDescription());
        assertTrue(client.runtime().listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsList()
                .stream().noneMatch(p -> p.getMetadata().getName().equals("grouponly")));
    }

    @Test
    void aHostnameTheKernelWouldRefuseIsInvalidArgumentAndLeavesNoSandbox(CriClient client) {
        PodSandboxConfig config = pod("badhost").toBuilder().setHostname("has space").build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> client.runtime().runPodSandbox(
                RunPodSandboxRequest.newBuilder().setConfig(config).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("config.hostname"), e.getStatus().getDescription());
        assertTrue(client.runtime().listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsList()
                .stream().noneMatch(p -> p.getMetadata().getName().equals("badhost")));
    }

    private static HttpResponse<String> fetchWithRetry(String url) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Exception last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                last = e; // httpd may not be listening yet
                Thread.sleep(100);
            }
        }
        throw last;
    }
}
