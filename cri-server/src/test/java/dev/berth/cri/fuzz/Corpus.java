package dev.berth.cri.fuzz;

import com.google.protobuf.Message;
import dev.berth.proto.runtime.v1.*;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * A valid, kubelet-like request for every RPC of RuntimeService and ImageService, aimed at the fixture's live objects;
 * the mutator starts from these. Calls that stop or remove take the fixture's objects only now and then (the fixture
 * is rebuilt afterwards), otherwise an ID that names nothing.
 */
final class Corpus {

    private final FuzzFixture fixture;
    private final Random random;
    private final Map<String, Supplier<Message>> seeds = new LinkedHashMap<>();

    Corpus(FuzzFixture fixture, Random random) {
        this.fixture = fixture;
        this.random = random;
        FuzzFixture f = fixture;
        // RuntimeService
        put("Version", () -> VersionRequest.newBuilder().setVersion("v1").build());
        put("RunPodSandbox", () -> RunPodSandboxRequest.newBuilder()
                .setConfig(f.newPodConfig(f.uniqueName("fuzz"))).build());
        put("StopPodSandbox", () -> StopPodSandboxRequest.newBuilder().setPodSandboxId(victim(f.podId())).build());
        put("RemovePodSandbox", () -> RemovePodSandboxRequest.newBuilder().setPodSandboxId(victim(f.podId()))
                .build());
        put("PodSandboxStatus", () -> PodSandboxStatusRequest.newBuilder().setPodSandboxId(f.podId())
                .setVerbose(true).build());
        put("ListPodSandbox", () -> ListPodSandboxRequest.newBuilder().setFilter(podFilter()).build());
        put("StreamPodSandboxes", () -> StreamPodSandboxesRequest.newBuilder().setFilter(podFilter()).build());
        put("CreateContainer", () -> CreateContainerRequest.newBuilder()
                .setPodSandboxId(f.podId())
                .setSandboxConfig(f.podConfig())
                .setConfig(f.newContainerConfig(f.uniqueName("c"), List.of("sleep", "100000")))
                .build());
        put("StartContainer", () -> StartContainerRequest.newBuilder().setContainerId(f.containerId()).build());
        put("StopContainer", () -> StopContainerRequest.newBuilder().setContainerId(victim(f.containerId()))
                .setTimeout(2).build());
        put("RemoveContainer", () -> RemoveContainerRequest.newBuilder().setContainerId(victim(f.containerId()))
                .build());
        put("ListContainers", () -> ListContainersRequest.newBuilder().setFilter(containerFilter()).build());
        put("StreamContainers", () -> StreamContainersRequest.newBuilder().setFilter(containerFilter()).build());
        put("ContainerStatus", () -> ContainerStatusRequest.newBuilder().setContainerId(f.containerId())
                .setVerbose(true).build());
        put("UpdateContainerResources", () -> UpdateContainerResourcesRequest.newBuilder()
                .setContainerId(f.containerId())
                .setLinux(LinuxContainerResources.newBuilder().setCpuShares(4).setMemoryLimitInBytes(96L << 20)
                        .setCpuPeriod(100_000).setCpuQuota(60_000).setOomScoreAdj(200))
                .build());
        put("ReopenContainerLog", () -> ReopenContainerLogRequest.newBuilder().setContainerId(f.containerId())
                .build());
        put("ExecSync", () -> ExecSyncRequest.newBuilder().setContainerId(f.containerId()).addCmd("echo")
                .addCmd("hi").setTimeout(5).build());
        put("Exec", () -> ExecRequest.newBuilder().setContainerId(f.containerId()).addCmd("sh").setStdout(true)
                .build());
        put("Attach", () -> AttachRequest.newBuilder().setContainerId(f.containerId()).setStdout(true).build());
        put("PortForward", () -> PortForwardRequest.newBuilder().setPodSandboxId(f.podId()).addPort(80).build());
        put("ContainerStats", () -> ContainerStatsRequest.newBuilder().setContainerId(f.containerId()).build());
        put("ListContainerStats", () -> ListContainerStatsRequest.newBuilder().setFilter(ContainerStatsFilter
                .newBuilder().setPodSandboxId(f.podId()).putLabelSelector("io.kubernetes.container.name", "sleeper"))
                .build());
        put("StreamContainerStats", () -> StreamContainerStatsRequest.newBuilder().setFilter(ContainerStatsFilter
                .newBuilder().setId(f.containerId())).build());
        put("PodSandboxStats", () -> PodSandboxStatsRequest.newBuilder().setPodSandboxId(f.podId()).build());
        put("ListPodSandboxStats", () -> ListPodSandboxStatsRequest.newBuilder().setFilter(PodSandboxStatsFilter
                .newBuilder().setId(f.podId())).build());
        put("StreamPodSandboxStats", () -> StreamPodSandboxStatsRequest.newBuilder().setFilter(PodSandboxStatsFilter
                .newBuilder().putLabelSelector("io.kubernetes.pod.namespace", "fuzz")).build());
        // An empty pod CIDR changes nothing; mutations put text in it.
        put("UpdateRuntimeConfig", () -> UpdateRuntimeConfigRequest.newBuilder().setRuntimeConfig(RuntimeConfig
                .newBuilder().setNetworkConfig(NetworkConfig.newBuilder().setPodCidr(""))).build());
        put("Status", () -> StatusRequest.newBuilder().setVerbose(true).build());
        put("CheckpointContainer", () -> CheckpointContainerRequest.newBuilder().setContainerId(f.containerId())
                .setLocation(f.berth().home().resolve("checkpoint.tar").toString()).setTimeout(5).build());
        put("GetContainerEvents", () -> GetEventsRequest.getDefaultInstance());
        put("ListMetricDescriptors", () -> ListMetricDescriptorsRequest.getDefaultInstance());
        put("ListPodSandboxMetrics", () -> ListPodSandboxMetricsRequest.getDefaultInstance());
        put("StreamPodSandboxMetrics", () -> StreamPodSandboxMetricsRequest.getDefaultInstance());
        put("RuntimeConfig", () -> RuntimeConfigRequest.getDefaultInstance());
        put("UpdatePodSandboxResources", () -> UpdatePodSandboxResourcesRequest.newBuilder()
                .setPodSandboxId(f.podId())
                .setResources(LinuxContainerResources.newBuilder().setCpuShares(8).setMemoryLimitInBytes(128L << 20))
                .build());
        // ImageService
        put("ListImages", () -> ListImagesRequest.newBuilder().setFilter(ImageFilter.newBuilder()
                .setImage(ImageSpec.newBuilder().setImage(f.image().reference()))).build());
        put("StreamImages", () -> StreamImagesRequest.newBuilder().setFilter(ImageFilter.newBuilder()
                .setImage(ImageSpec.newBuilder().setImage(f.image().imageId()))).build());
        put("ImageStatus", () -> ImageStatusRequest.newBuilder().setImage(ImageSpec.newBuilder()
                .setImage(f.image().reference())).setVerbose(true).build());
        put("PullImage", () -> PullImageRequest.newBuilder()
                .setImage(ImageSpec.newBuilder().setImage(f.image().reference()))
                .setAuth(AuthConfig.newBuilder().setUsername("fuzz").setPassword("secret"))
                .setSandboxConfig(f.podConfig())
                .build());
        put("RemoveImage", () -> RemoveImageRequest.newBuilder().setImage(ImageSpec.newBuilder()
                .setImage(random.nextInt(8) == 0 ? f.image().reference()
                        : f.registryAddress() + "/fuzz/missing:v1")).build());
        put("ImageFsInfo", () -> ImageFsInfoRequest.getDefaultInstance());
    }

    private void put(String method, Supplier<Message> seed) {
        seeds.put(method, seed);
    }

    /** Every method of both services, with the seed that belongs to it; fails when a method has no seed. */
    List<MethodDescriptor<?, ?>> methods() {
        List<MethodDescriptor<?, ?>> methods = new ArrayList<>();
        for (ServiceDescriptor service : List.of(RuntimeServiceGrpc.getServiceDescriptor(),
                ImageServiceGrpc.getServiceDescriptor())) {
            for (MethodDescriptor<?, ?> method : service.getMethods()) {
                if (!seeds.containsKey(method.getBareMethodName())) {
                    throw new IllegalStateException("no seed request for " + method.getFullMethodName());
                }
                methods.add(method);
            }
        }
        return methods;
    }

    Message seed(MethodDescriptor<?, ?> method) {
        return seeds.get(method.getBareMethodName()).get();
    }

    private String victim(String fixtureId) {
        return switch (random.nextInt(8)) {
            case 0 -> fixtureId;
            case 1 -> fixtureId.substring(0, 12);
            default -> HexFormat.of().formatHex(randomBytes(32));
        };
    }

    private PodSandboxFilter podFilter() {
        return PodSandboxFilter.newBuilder().setId(fixture.podId())
                .setState(PodSandboxStateValue.newBuilder().setState(PodSandboxState.SANDBOX_READY))
                .putLabelSelector("io.kubernetes.pod.namespace", "fuzz").build();
    }

    private ContainerFilter containerFilter() {
        return ContainerFilter.newBuilder().setPodSandboxId(fixture.podId())
                .setState(ContainerStateValue.newBuilder().setState(ContainerState.CONTAINER_RUNNING))
                .putLabelSelector("io.kubernetes.container.name", "sleeper").build();
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
