package dev.berth.cri.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.exec.Command;
import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.proto.runtime.v1.CgroupDriver;
import dev.berth.proto.runtime.v1.CheckpointContainerRequest;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.NetworkConfig;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.PodSandboxStatusRequest;
import dev.berth.proto.runtime.v1.RemovePodSandboxRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.RuntimeCondition;
import dev.berth.proto.runtime.v1.RuntimeConfig;
import dev.berth.proto.runtime.v1.RuntimeConfigRequest;
import dev.berth.proto.runtime.v1.RuntimeHandler;
import dev.berth.proto.runtime.v1.RuntimeHandlerFeatures;
import dev.berth.proto.runtime.v1.StatusRequest;
import dev.berth.proto.runtime.v1.StatusResponse;
import dev.berth.proto.runtime.v1.StopPodSandboxRequest;
import dev.berth.proto.runtime.v1.UpdateRuntimeConfigRequest;
import dev.berth.proto.runtime.v1.VersionRequest;
import dev.berth.proto.runtime.v1.VersionResponse;
import dev.berth.testing.cri.CriClient;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@Tag("host")
class RuntimeInfoTest {

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create();

    @Test
    void versionNamesBerthAndTheCriApi(CriClient client) {
        VersionResponse version = client.runtime().version(VersionRequest.newBuilder().setVersion("0.1.0").build());
        assertEquals("berth", version.getRuntimeName());
        assertEquals("v1", version.getRuntimeApiVersion());
        assertEquals("0.1.0", version.getRuntimeVersion());
    }

    @Test
    void statusReportsBothConditionsAndEveryHandler(CriClient client) {
        StatusResponse status = client.runtime().status(StatusRequest.newBuilder().build());
        Map<String, RuntimeCondition> conditions = status.getStatus().getConditionsList().stream()
                .collect(Collectors.toMap(RuntimeCondition::getType, c -> c));
        assertTrue(conditions.get("RuntimeReady").getStatus(), conditions.get("RuntimeReady").getMessage());
        assertTrue(conditions.containsKey("NetworkReady"));
        RuntimeCondition network = conditions.get("NetworkReady");
        if (!network.getStatus()) {
            assertFalse(network.getReason().isEmpty(), "a false condition carries a reason");
        }
        assertEquals(java.util.Set.of("runc", "crun", ""), status.getRuntimeHandlersList().stream()
                .map(RuntimeHandler::getName).collect(Collectors.toSet()));
        assertTrue(status.getInfoMap().isEmpty(), "info only on verbose");
    }

    /**
     * This host: kernel 6.18 and glibc 2.36 have mount_setattr, so runc gets recursive read-only mounts, and user
     * namespaces work (a pinned user namespace, idmapped layer views); crun 1.8 refuses this cgroup v1 "hybrid" host,
     * so it gets nothing; "" is the default handler, runc.
     */
    @Test
    void handlerFeaturesAreWhatWorksForEachHandlerOnThisHost(CriClient client) {
        StatusResponse status = client.runtime().status(StatusRequest.newBuilder().build());
        Map<String, RuntimeHandlerFeatures> features = status.getRuntimeHandlersList().stream()
                .collect(Collectors.toMap(RuntimeHandler::getName, RuntimeHandler::getFeatures));
        assertEquals(RuntimeHandlerFeatures.newBuilder().setRecursiveReadOnlyMounts(true).setUserNamespaces(true)
                .build(), features.get("runc"));
        assertEquals(RuntimeHandlerFeatures.getDefaultInstance(), features.get("crun"));
        assertEquals(features.get("runc"), features.get(""));
        String verbose = client.runtime().status(StatusRequest.newBuilder().setVerbose(true).build())
                .getInfoOrThrow("handlerFeatures");
        assertTrue(verbose.contains("\"runc\":{\"recursiveReadOnlyMounts\":true,\"userNamespaces\":true}"),
                verbose);
        assertTrue(verbose.contains("\"crun\":{\"recursiveReadOnlyMounts\":false,\"userNamespaces\":false}"),
                verbose);
    }

    @Test
    void verboseStatusCarriesTheEffectiveConfig(CriClient client) {
        StatusResponse status = client.runtime().status(StatusRequest.newBuilder().setVerbose(true).build());
        String config = status.getInfoOrThrow("config");
        assertTrue(config.contains(berth.socket().toString()), config);
        assertTrue(config.contains("\"cgroup_driver\":\"cgroupfs\""), config);
    }

    @Test
    void runtimeConfigReportsTheCgroupDriver(CriClient client) {
        assertEquals(CgroupDriver.CGROUPFS, client.runtime().runtimeConfig(RuntimeConfigRequest.getDefaultInstance())
                .getLinux().getCgroupDriver());
    }

    @Test
    void malformedPodCidrIsInvalidArgumentNamingTheField(CriClient client) {
        UpdateRuntimeConfigRequest bad = UpdateRuntimeConfigRequest.newBuilder()
                .setRuntimeConfig(RuntimeConfig.newBuilder()
                        .setNetworkConfig(NetworkConfig.newBuilder().setPodCidr("not-a-cidr")))
                .build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> client.runtime().updateRuntimeConfig(bad));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("pod_cidr"), e.getStatus().getDescription());
    }

    @Test
    void aValidPodCidrGivesNewPodsTheirAddressesFromIt(CriClient client) {
        client.runtime().updateRuntimeConfig(UpdateRuntimeConfigRequest.newBuilder()
                .setRuntimeConfig(RuntimeConfig.newBuilder()
                        .setNetworkConfig(NetworkConfig.newBuilder().setPodCidr("10.244.1.0/24")))
                .build());
        String podId = client.runtime().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(
                PodSandboxConfig.newBuilder()
                        .setMetadata(PodSandboxMetadata.newBuilder().setName("cidr").setNamespace("default")
                                .setUid("cidr-1"))
                        .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(berth.cgroupParent())))
                .build()).getPodSandboxId();
        try {
            String ip = client.runtime().podSandboxStatus(PodSandboxStatusRequest.newBuilder().setPodSandboxId(podId)
                    .build()).getStatus().getNetwork().getIp();
            assertTrue(ip.startsWith("10.244.1."), "pod address " + ip + " is not from 10.244.1.0/24");
            // The address is really on the pod's side of the bridge: the host routes to it through the bridge.
            String route = Command.of("ip", "-o", "route", "get", ip).run().stdoutText();
            assertTrue(route.contains("dev " + berth.network().bridge()), route);
        } finally {
            client.runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
            client.runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
        }
    }

    @Test
    void healthServiceServes(CriClient client) {
        assertEquals(HealthCheckResponse.ServingStatus.SERVING,
                client.health().check(HealthCheckRequest.newBuilder().build()).getStatus());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, client.health()
                .check(HealthCheckRequest.newBuilder().setService("runtime.v1.RuntimeService").build()).getStatus());
    }

    @Test
    void socketIsOwnerAndGroupOnly() throws Exception {
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(berth.socket())));
    }

    @Test
    void metricsEndpointServesPrometheusText(CriClient client) throws Exception {
        client.runtime().version(VersionRequest.getDefaultInstance());
        var address = berth.daemon().metricsAddress().orElseThrow();
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + address.getPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("berth_cri_request_duration_seconds_count{code=\"OK\",method=\"Version\""),
                response.body());
    }

    @Test
    void unimplementedRpcNamesItself(CriClient client) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> client.runtime().checkpointContainer(CheckpointContainerRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("CheckpointContainer"), e.getStatus().getDescription());
    }

    @Test
    void networkIsReadyOnTheBuiltInBridge(CriClient client) {
        RuntimeCondition network = client.runtime().status(StatusRequest.getDefaultInstance()).getStatus()
                .getConditionsList().stream().filter(c -> c.getType().equals("NetworkReady")).findFirst()
                .orElseThrow();
        assertTrue(network.getStatus(), network.getReason() + ": " + network.getMessage());
    }
}
