package dev.berth.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerMetadata;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.CriApi;
import dev.berth.proto.runtime.v1.ImageServiceGrpc;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.KeyValue;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerResources;
import dev.berth.proto.runtime.v1.LinuxSandboxSecurityContext;
import dev.berth.proto.runtime.v1.Mount;
import dev.berth.proto.runtime.v1.MountPropagation;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.RuntimeServiceGrpc;
import dev.berth.proto.runtime.v1.Signal;
import dev.berth.proto.runtime.v1.StopContainerRequest;
import dev.berth.proto.runtime.v1.SupplementalGroupsPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the generated CRI v1 descriptors to upstream k8s.io/cri-api (kubernetes master,
 * v1.36 cycle): RPC names/types/streaming, package, and well-known field numbers, so an
 * accidental rename or renumbering in api.proto fails the build.
 */
class CriApiDescriptorTest {

    /** One RPC: name, request type, response type, server-streaming. */
    private record Rpc(String name, String request, String response, boolean serverStreaming) {}

    private static Rpc unary(String name, String req, String resp) {
        return new Rpc(name, req, resp, false);
    }

    private static Rpc stream(String name, String req, String resp) {
        return new Rpc(name, req, resp, true);
    }

    /** RuntimeService, in upstream declaration order. */
    private static final List<Rpc> RUNTIME_RPCS = List.of(
            unary("Version", "VersionRequest", "VersionResponse"),
            unary("RunPodSandbox", "RunPodSandboxRequest", "RunPodSandboxResponse"),
            unary("StopPodSandbox", "StopPodSandboxRequest", "StopPodSandboxResponse"),
            unary("RemovePodSandbox", "RemovePodSandboxRequest", "RemovePodSandboxResponse"),
            unary("PodSandboxStatus", "PodSandboxStatusRequest", "PodSandboxStatusResponse"),
            unary("ListPodSandbox", "ListPodSandboxRequest", "ListPodSandboxResponse"),
            stream("StreamPodSandboxes", "StreamPodSandboxesRequest", "StreamPodSandboxesResponse"),
            unary("CreateContainer", "CreateContainerRequest", "CreateContainerResponse"),
            unary("StartContainer", "StartContainerRequest", "StartContainerResponse"),
            unary("StopContainer", "StopContainerRequest", "StopContainerResponse"),
            unary("RemoveContainer", "RemoveContainerRequest", "RemoveContainerResponse"),
            unary("ListContainers", "ListContainersRequest", "ListContainersResponse"),
            stream("StreamContainers", "StreamContainersRequest", "StreamContainersResponse"),
            unary("ContainerStatus", "ContainerStatusRequest", "ContainerStatusResponse"),
            unary("UpdateContainerResources", "UpdateContainerResourcesRequest",
                    "UpdateContainerResourcesResponse"),
            unary("ReopenContainerLog", "ReopenContainerLogRequest", "ReopenContainerLogResponse"),
            unary("ExecSync", "ExecSyncRequest", "ExecSyncResponse"),
            unary("Exec", "ExecRequest", "ExecResponse"),
            unary("Attach", "AttachRequest", "AttachResponse"),
            unary("PortForward", "PortForwardRequest", "PortForwardResponse"),
            unary("ContainerStats", "ContainerStatsRequest", "ContainerStatsResponse"),
            unary("ListContainerStats", "ListContainerStatsRequest", "ListContainerStatsResponse"),
            stream("StreamContainerStats", "StreamContainerStatsRequest", "StreamContainerStatsResponse"),
            unary("PodSandboxStats", "PodSandboxStatsRequest", "PodSandboxStatsResponse"),
            unary("ListPodSandboxStats", "ListPodSandboxStatsRequest", "ListPodSandboxStatsResponse"),
            stream("StreamPodSandboxStats", "StreamPodSandboxStatsRequest",
                    "StreamPodSandboxStatsResponse"),
            unary("UpdateRuntimeConfig", "UpdateRuntimeConfigRequest", "UpdateRuntimeConfigResponse"),
            unary("Status", "StatusRequest", "StatusResponse"),
            unary("CheckpointContainer", "CheckpointContainerRequest", "CheckpointContainerResponse"),
            stream("GetContainerEvents", "GetEventsRequest", "ContainerEventResponse"),
            unary("ListMetricDescriptors", "ListMetricDescriptorsRequest",
                    "ListMetricDescriptorsResponse"),
            unary("ListPodSandboxMetrics", "ListPodSandboxMetricsRequest",
                    "ListPodSandboxMetricsResponse"),
            stream("StreamPodSandboxMetrics", "StreamPodSandboxMetricsRequest",
                    "StreamPodSandboxMetricsResponse"),
            unary("RuntimeConfig", "RuntimeConfigRequest", "RuntimeConfigResponse"),
            unary("UpdatePodSandboxResources", "UpdatePodSandboxResourcesRequest",
                    "UpdatePodSandboxResourcesResponse"));

    /** ImageService, in upstream declaration order. */
    private static final List<Rpc> IMAGE_RPCS = List.of(
            unary("ListImages", "ListImagesRequest", "ListImagesResponse"),
            stream("StreamImages", "StreamImagesRequest", "StreamImagesResponse"),
            unary("ImageStatus", "ImageStatusRequest", "ImageStatusResponse"),
            unary("PullImage", "PullImageRequest", "PullImageResponse"),
            unary("RemoveImage", "RemoveImageRequest", "RemoveImageResponse"),
            unary("ImageFsInfo", "ImageFsInfoRequest", "ImageFsInfoResponse"));

    /** Spot-checked fields: "Message.field" -> {number, type, repeated?}. */
    private record F(String path, int number, FieldDescriptor.Type type, boolean repeated) {}

    private static final List<F> FIELDS = List.of(
            new F("ContainerConfig.log_path", 11, FieldDescriptor.Type.STRING, false),
            new F("ContainerConfig.linux", 15, FieldDescriptor.Type.MESSAGE, false),
            new F("ContainerConfig.CDI_devices", 17, FieldDescriptor.Type.MESSAGE, true),
            new F("ContainerConfig.stop_signal", 18, FieldDescriptor.Type.ENUM, false),
            new F("PodSandboxConfig.log_directory", 3, FieldDescriptor.Type.STRING, false),
            new F("PodSandboxConfig.linux", 8, FieldDescriptor.Type.MESSAGE, false),
            new F("LinuxSandboxSecurityContext.run_as_group", 8, FieldDescriptor.Type.MESSAGE, false),
            new F("LinuxSandboxSecurityContext.supplemental_groups_policy", 11,
                    FieldDescriptor.Type.ENUM, false),
            new F("LinuxSandboxSecurityContext.seccomp_profile_path", 7, FieldDescriptor.Type.STRING,
                    false),
            new F("LinuxContainerSecurityContext.run_as_group", 12, FieldDescriptor.Type.MESSAGE,
                    false),
            new F("LinuxContainerSecurityContext.supplemental_groups_policy", 17,
                    FieldDescriptor.Type.ENUM, false),
            new F("LinuxContainerSecurityContext.apparmor_profile", 9, FieldDescriptor.Type.STRING,
                    false),
            new F("ImageSpec.user_specified_image", 18, FieldDescriptor.Type.STRING, false),
            new F("ImageSpec.runtime_handler", 19, FieldDescriptor.Type.STRING, false),
            new F("ImageSpec.image_ref", 20, FieldDescriptor.Type.STRING, false),
            new F("Namespace.options", 2, FieldDescriptor.Type.MESSAGE, false),
            new F("ContainerStatus.image_id", 17, FieldDescriptor.Type.STRING, false),
            new F("ContainerStatus.stop_signal", 19, FieldDescriptor.Type.ENUM, false),
            new F("Mount.image_sub_path", 10, FieldDescriptor.Type.STRING, false),
            new F("Mount.uidMappings", 6, FieldDescriptor.Type.MESSAGE, true),
            new F("LinuxContainerResources.memory_swap_limit_in_bytes", 10,
                    FieldDescriptor.Type.INT64, false),
            new F("ExecRequest.audit_request_id", 7, FieldDescriptor.Type.STRING, false),
            new F("AttachRequest.audit_request_id", 6, FieldDescriptor.Type.STRING, false),
            new F("PodSandboxStatusResponse.timestamp", 4, FieldDescriptor.Type.INT64, false),
            new F("ExecSyncResponse.stdout", 1, FieldDescriptor.Type.BYTES, false),
            new F("PortForwardRequest.port", 2, FieldDescriptor.Type.INT32, true),
            new F("PsiData.Avg300", 4, FieldDescriptor.Type.DOUBLE, false),
            new F("StreamPodSandboxesResponse.pod_sandboxes", 1, FieldDescriptor.Type.MESSAGE, true),
            new F("StreamContainerStatsResponse.container_stats", 1, FieldDescriptor.Type.MESSAGE,
                    true),
            new F("StreamPodSandboxMetricsResponse.pod_sandbox_metrics", 1,
                    FieldDescriptor.Type.MESSAGE, true),
            new F("UpdatePodSandboxResourcesRequest.resources", 3, FieldDescriptor.Type.MESSAGE,
                    false),
            new F("AuthConfig.registry_token", 6, FieldDescriptor.Type.STRING, false));

    private static final FileDescriptor FILE = CriApi.getDescriptor();

    @Test
    void packageAndOptions() {
        assertEquals("runtime/v1/api.proto", FILE.getName());
        assertEquals("runtime.v1", FILE.getPackage());
        assertEquals("k8s.io/cri-api/pkg/apis/runtime/v1", FILE.getOptions().getGoPackage());
        assertEquals("dev.berth.proto.runtime.v1", FILE.getOptions().getJavaPackage());
        // Plain proto3 with no imports (no gogo).
        assertTrue(FILE.getDependencies().isEmpty(), "api.proto must not import anything");
        assertEquals("runtime.v1.RuntimeService", RuntimeServiceGrpc.SERVICE_NAME);
        assertEquals("runtime.v1.ImageService", ImageServiceGrpc.SERVICE_NAME);
    }

    @Test
    void runtimeServiceRpcs() {
        checkService(FILE.findServiceByName("RuntimeService"), RUNTIME_RPCS,
                RuntimeServiceGrpc.getServiceDescriptor());
    }

    @Test
    void imageServiceRpcs() {
        checkService(FILE.findServiceByName("ImageService"), IMAGE_RPCS,
                ImageServiceGrpc.getServiceDescriptor());
    }

    private static void checkService(ServiceDescriptor svc, List<Rpc> expected,
            io.grpc.ServiceDescriptor grpcSvc) {
        assertNotNull(svc);
        List<String> actualNames = new ArrayList<>();
        for (MethodDescriptor m : svc.getMethods()) {
            actualNames.add(m.getName());
        }
        assertEquals(expected.stream().map(Rpc::name).toList(), actualNames,
                svc.getName() + " RPC list differs");

        for (Rpc rpc : expected) {
            MethodDescriptor m = svc.findMethodByName(rpc.name());
            String where = svc.getName() + "." + rpc.name();
            assertEquals("runtime.v1." + rpc.request(), m.getInputType().getFullName(), where);
            assertEquals("runtime.v1." + rpc.response(), m.getOutputType().getFullName(), where);
            assertEquals(rpc.serverStreaming(), m.isServerStreaming(), where + " server-streaming");
            assertFalse(m.isClientStreaming(), where + " must not be client-streaming");
        }

        // The gRPC stubs must expose the same methods with matching call types.
        assertEquals(svc.getFullName(), grpcSvc.getName());
        assertEquals(expected.size(), grpcSvc.getMethods().size());
        for (io.grpc.MethodDescriptor<?, ?> gm : grpcSvc.getMethods()) {
            String bare = gm.getBareMethodName();
            Rpc rpc = expected.stream().filter(r -> r.name().equals(bare)).findFirst()
                    .orElseThrow(() -> new AssertionError("unexpected gRPC method " + bare));
            assertEquals(svc.getFullName() + "/" + rpc.name(), gm.getFullMethodName());
            assertEquals(rpc.serverStreaming()
                            ? io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING
                            : io.grpc.MethodDescriptor.MethodType.UNARY,
                    gm.getType(), bare);
        }
    }

    @Test
    void wellKnownFieldNumbers() {
        for (F f : FIELDS) {
            int dot = f.path().indexOf('.');
            Descriptor msg = FILE.findMessageTypeByName(f.path().substring(0, dot));
            assertNotNull(msg, f.path());
            FieldDescriptor fd = msg.findFieldByName(f.path().substring(dot + 1));
            assertNotNull(fd, f.path());
            assertEquals(f.number(), fd.getNumber(), f.path() + " number");
            assertEquals(f.type(), fd.getType(), f.path() + " type");
            assertEquals(f.repeated(), fd.isRepeated(), f.path() + " repeated");
        }
        // Map fields stay maps.
        assertTrue(FILE.findMessageTypeByName("PodSandboxConfig").findFieldByName("annotations")
                .isMapField());
        assertTrue(FILE.findMessageTypeByName("LinuxContainerResources").findFieldByName("unified")
                .isMapField());
        // Upstream has no oneofs anywhere.
        for (Descriptor d : FILE.getMessageTypes()) {
            assertTrue(d.getRealOneofs().isEmpty(), d.getName() + " has a oneof");
        }
    }

    @Test
    void enumValues() {
        assertEnum("NamespaceMode", Map.of("POD", 0, "CONTAINER", 1, "NODE", 2, "TARGET", 3));
        assertEnum("ContainerState", Map.of("CONTAINER_CREATED", 0, "CONTAINER_RUNNING", 1,
                "CONTAINER_EXITED", 2, "CONTAINER_UNKNOWN", 3));
        assertEnum("PodSandboxState", Map.of("SANDBOX_READY", 0, "SANDBOX_NOTREADY", 1));
        assertEnum("MountPropagation", Map.of("PROPAGATION_PRIVATE", 0,
                "PROPAGATION_HOST_TO_CONTAINER", 1, "PROPAGATION_BIDIRECTIONAL", 2));
        assertEnum("Protocol", Map.of("TCP", 0, "UDP", 1, "SCTP", 2));
        assertEnum("SupplementalGroupsPolicy", Map.of("Merge", 0, "Strict", 1));
        assertEnum("ContainerEventType", Map.of("CONTAINER_CREATED_EVENT", 0,
                "CONTAINER_STARTED_EVENT", 1, "CONTAINER_STOPPED_EVENT", 2,
                "CONTAINER_DELETED_EVENT", 3));
        assertEnum("MetricType", Map.of("COUNTER", 0, "GAUGE", 1));
        assertEnum("CgroupDriver", Map.of("SYSTEMD", 0, "CGROUPFS", 1));

        EnumDescriptor signal = FILE.findEnumTypeByName("Signal");
        assertEquals(66, signal.getValues().size());
        assertEquals(0, signal.findValueByName("RUNTIME_DEFAULT").getNumber());
        assertEquals(23, signal.findValueByName("SIGTERM").getNumber());
        assertEquals(13, signal.findValueByName("SIGKILL").getNumber());
        assertEquals(50, signal.findValueByName("SIGRTMINPLUS15").getNumber());
        assertEquals(65, signal.findValueByName("SIGRTMAX").getNumber());

        EnumDescriptor profile = FILE.findMessageTypeByName("SecurityProfile")
                .findEnumTypeByName("ProfileType");
        assertEquals(2, profile.findValueByName("Localhost").getNumber());
    }

    private static void assertEnum(String name, Map<String, Integer> values) {
        EnumDescriptor e = FILE.findEnumTypeByName(name);
        assertNotNull(e, name);
        assertEquals(values.size(), e.getValues().size(), name + " value count");
        values.forEach((k, v) -> assertEquals(v, e.findValueByName(k).getNumber(), name + "." + k));
    }

    @Test
    void messageRoundTripsThroughBytes() throws InvalidProtocolBufferException {
        CreateContainerRequest req = CreateContainerRequest.newBuilder()
                .setPodSandboxId("sb-1")
                .setConfig(ContainerConfig.newBuilder()
                        .setMetadata(ContainerMetadata.newBuilder().setName("app").setAttempt(2))
                        .setImage(ImageSpec.newBuilder().setImage("sha256:abc")
                                .setUserSpecifiedImage("nginx:1.27")
                                .putAnnotations("k", "v"))
                        .addCommand("/bin/sh").addArgs("-c").addArgs("echo hi")
                        .addEnvs(KeyValue.newBuilder().setKey("A").setValue("1"))
                        .addMounts(Mount.newBuilder().setContainerPath("/data")
                                .setHostPath("/var/lib/x").setReadonly(true)
                                .setPropagation(MountPropagation.PROPAGATION_HOST_TO_CONTAINER))
                        .putLabels("io.kubernetes.container.name", "app")
                        .setLogPath("app/0.log")
                        .setTty(true)
                        .setLinux(LinuxContainerConfig.newBuilder()
                                .setResources(LinuxContainerResources.newBuilder()
                                        .setCpuQuota(50_000).setMemoryLimitInBytes(1L << 30)
                                        .putUnified("memory.high", "max")))
                        .setStopSignal(Signal.SIGTERM))
                .setSandboxConfig(PodSandboxConfig.newBuilder()
                        .setMetadata(PodSandboxMetadata.newBuilder().setName("p").setUid("u")
                                .setNamespace("default")))
                .build();

        byte[] bytes = req.toByteArray();
        CreateContainerRequest back = CreateContainerRequest.parseFrom(bytes);
        assertEquals(req, back);
        assertEquals("app/0.log", back.getConfig().getLogPath());
        assertEquals(Signal.SIGTERM, back.getConfig().getStopSignal());
        assertEquals("max", back.getConfig().getLinux().getResources().getUnifiedOrThrow("memory.high"));
    }

    @Test
    void hardcodedWireBytes() throws InvalidProtocolBufferException {
        // StopContainerRequest{container_id="c"(1), timeout=30(2)}: 0a 01 63 10 1e
        byte[] stop = {0x0a, 0x01, 'c', 0x10, 0x1e};
        assertArrayEquals(stop, StopContainerRequest.newBuilder().setContainerId("c").setTimeout(30)
                .build().toByteArray());
        assertEquals("c", StopContainerRequest.parseFrom(stop).getContainerId());

        // ContainerConfig.log_path is field 11, length-delimited: tag (11<<3)|2 = 0x5a.
        byte[] logPath = {0x5a, 0x01, 'x'};
        assertArrayEquals(logPath, ContainerConfig.newBuilder().setLogPath("x").build().toByteArray());

        // ImageSpec.user_specified_image is field 18: tag (18<<3)|2 = 146 = varint 92 01.
        byte[] usi = {(byte) 0x92, 0x01, 0x01, 'n'};
        assertArrayEquals(usi, ImageSpec.newBuilder().setUserSpecifiedImage("n").build().toByteArray());

        // LinuxSandboxSecurityContext.supplemental_groups_policy=Strict: field 11 varint -> 58 01.
        byte[] sgp = {0x58, 0x01};
        assertArrayEquals(sgp, LinuxSandboxSecurityContext.newBuilder()
                .setSupplementalGroupsPolicy(SupplementalGroupsPolicy.Strict).build().toByteArray());

        assertEquals("x", ContainerConfig.parseFrom(logPath).getLogPath());
    }
}
