package dev.berth.cri.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Message;
import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.cri.testing.Leftovers;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerStatsRequest;
import dev.berth.proto.runtime.v1.ContainerStatusRequest;
import dev.berth.proto.runtime.v1.PodSandboxState;
import dev.berth.proto.runtime.v1.PodSandboxStatusRequest;
import dev.berth.proto.runtime.v1.RemoveContainerRequest;
import dev.berth.proto.runtime.v1.RemovePodSandboxRequest;
import dev.berth.proto.runtime.v1.ReopenContainerLogRequest;
import dev.berth.proto.runtime.v1.StartContainerRequest;
import dev.berth.proto.runtime.v1.StopPodSandboxRequest;
import dev.berth.proto.runtime.v1.ContainerFilter;
import dev.berth.proto.runtime.v1.ContainerStateValue;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.ExecSyncRequest;
import dev.berth.proto.runtime.v1.ImageServiceGrpc;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.ImageStatusRequest;
import dev.berth.proto.runtime.v1.LinuxContainerResources;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.LinuxSandboxSecurityContext;
import dev.berth.proto.runtime.v1.ListContainersRequest;
import dev.berth.proto.runtime.v1.ListPodSandboxRequest;
import dev.berth.proto.runtime.v1.Mount;
import dev.berth.proto.runtime.v1.NamespaceOption;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxFilter;
import dev.berth.proto.runtime.v1.PodSandboxStateValue;
import dev.berth.proto.runtime.v1.PortMapping;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.proto.runtime.v1.RemoveImageRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.RuntimeServiceGrpc;
import dev.berth.proto.runtime.v1.StopContainerRequest;
import dev.berth.proto.runtime.v1.UpdateContainerResourcesRequest;
import dev.berth.testing.registry.TestRegistry;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The hostile inputs the fuzzer draws at random, each also sent once by name with its expected status written out,
 * under the same oracle (state unchanged when rejected, nothing written outside berth's directories, no
 * INTERNAL/UNKNOWN), so every kind is covered whatever seed the random run gets.
 */
@Tag("host")
class HostileRequestTableTest {

    static final TestRegistry registry = TestRegistry.start();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n");

    static FuzzFixture fixture;
    static final String MARK = "berthfuzz" + Long.toHexString(0x7ab1eL);
    static final String ESCAPE = "../../../../../../../../../../tmp/" + MARK + "-escape";

    @BeforeAll
    static void makeFixture() {
        fixture = new FuzzFixture(berth, registry);
        fixture.start();
    }

    @AfterAll
    static void removeFixture() {
        try {
            fixture.remove();
        } finally {
            registry.close();
            berth.stopDaemon();
        }
        assertEquals(List.of(), Leftovers.podMountsUnder(berth.home(), berth.state()), "pod mounts left behind");
        assertEquals(List.of(), Leftovers.processesUsing(berth.home(), berth.state()), "processes left behind");
    }

    // The request is made when the case runs: an earlier accepted case may have made the fixture anew.
    private record Case(String name, Status.Code expected, MethodDescriptor<?, ?> method,
                        Supplier<Message> request) {
    }

    @Test
    void eachHostileInputGetsItsStatusAndLeavesNoTrace() {
        FuzzRunner runner = new FuzzRunner(fixture, 0x7ab1eL);
        List<Case> cases = new ArrayList<>();
        // Unknown propagation is taken as private (the CRI default); an image reference that names nothing is
        // NOT_FOUND for a container and an empty status for ImageStatus; removing what is not there succeeds.
        // Pods.
        cases.add(pod("10,000 labels", Status.Code.OK, c -> {
            for (int i = 0; i < 10_000; i++) {
                c.putLabels("fuzz.example/label-" + i, "v" + i);
            }
            return c;
        }));
        cases.add(pod("traversal in the pod name", Status.Code.OK, c -> c.setMetadata(c.getMetadata().toBuilder()
                .setName(ESCAPE))));
        cases.add(pod("NUL in the namespace", Status.Code.INVALID_ARGUMENT, c -> c.setMetadata(c.getMetadata()
                .toBuilder().setNamespace("fuzz\0x"))));
        cases.add(pod("invalid UTF-8 in the uid", Status.Code.INVALID_ARGUMENT, c -> c.setMetadata(c.getMetadata()
                .toBuilder().setUid(Mutator.BAD_UTF8))));
        cases.add(pod("1 MiB hostname", Status.Code.INVALID_ARGUMENT, c -> c.setHostname("a".repeat(1 << 20))));
        cases.add(pod("relative log directory", Status.Code.INVALID_ARGUMENT, c -> c.setLogDirectory(ESCAPE)));
        cases.add(pod("traversal in the cgroup parent", Status.Code.INVALID_ARGUMENT, c -> c.setLinux(c.getLinux()
                .toBuilder().setCgroupParent("/" + ESCAPE))));
        cases.add(pod("traversal in a sysctl name", Status.Code.INVALID_ARGUMENT, c -> c.setLinux(c.getLinux()
                .toBuilder().putSysctls(ESCAPE, "1"))));
        cases.add(pod("unknown network namespace mode", Status.Code.INVALID_ARGUMENT, c -> c.setLinux(c.getLinux()
                .toBuilder().setSecurityContext(LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(
                        NamespaceOption.newBuilder().setNetworkValue(9999))))));
        cases.add(pod("unknown port protocol and absurd ports", Status.Code.INVALID_ARGUMENT, c -> c
                .addPortMappings(PortMapping.newBuilder().setProtocolValue(9999).setContainerPort(70_000)
                        .setHostPort(-1))));
        // Containers.
        cases.add(container("traversal in the log path", Status.Code.INVALID_ARGUMENT, c -> c.setLogPath(ESCAPE)));
        cases.add(container("mount onto the container's parent", Status.Code.INVALID_ARGUMENT, c -> c.clearMounts()
                .addMounts(Mount.newBuilder().setContainerPath("/../../etc").setHostPath("/etc"))));
        cases.add(container("unknown mount propagation", Status.Code.OK, c -> c.clearMounts()
                .addMounts(Mount.newBuilder().setContainerPath("/data").setHostPath(fixture.volume().toString())
                        .setPropagationValue(9999))));
        cases.add(container("negative and absurd resources", Status.Code.INVALID_ARGUMENT, c -> c.setLinux(c
                .getLinux().toBuilder().setResources(LinuxContainerResources.newBuilder().setCpuShares(-1)
                        .setCpuQuota(Long.MIN_VALUE).setMemoryLimitInBytes(-5)))));
        cases.add(container("10,000 labels", Status.Code.OK, c -> {
            for (int i = 0; i < 10_000; i++) {
                c.putLabels("fuzz.example/label-" + i, "v" + i);
            }
            return c;
        }));
        cases.add(container("traversal in the image", Status.Code.NOT_FOUND, c -> c.setImage(ImageSpec
                .newBuilder().setImage(ESCAPE))));
        cases.add(new Case("UpdateContainerResources negative memory", Status.Code.INVALID_ARGUMENT,
                RuntimeServiceGrpc.getUpdateContainerResourcesMethod(), () -> UpdateContainerResourcesRequest.newBuilder()
                .setContainerId(fixture.containerId()).setLinux(LinuxContainerResources.newBuilder()
                        .setMemoryLimitInBytes(-1)).build()));
        cases.add(new Case("StopContainer negative timeout", Status.Code.INVALID_ARGUMENT,
                RuntimeServiceGrpc.getStopContainerMethod(), () -> StopContainerRequest.newBuilder()
                .setContainerId(fixture.containerId()).setTimeout(-1).build()));
        cases.add(new Case("ExecSync of an empty command name", Status.Code.INVALID_ARGUMENT,
                RuntimeServiceGrpc.getExecSyncMethod(), () -> ExecSyncRequest.newBuilder()
                .setContainerId(fixture.containerId()).addCmd("").setTimeout(5).build()));
        cases.add(new Case("ListPodSandbox unknown state", Status.Code.OK, RuntimeServiceGrpc.getListPodSandboxMethod(),
                () -> ListPodSandboxRequest.newBuilder().setFilter(PodSandboxFilter.newBuilder().setState(
                        PodSandboxStateValue.newBuilder().setStateValue(9999))).build()));
        cases.add(new Case("ListContainers unknown state", Status.Code.OK, RuntimeServiceGrpc.getListContainersMethod(),
                () -> ListContainersRequest.newBuilder().setFilter(ContainerFilter.newBuilder().setState(
                        ContainerStateValue.newBuilder().setStateValue(-1))).build()));
        // Images.
        cases.add(new Case("PullImage traversal", Status.Code.INVALID_ARGUMENT, ImageServiceGrpc.getPullImageMethod(),
                () -> PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(ESCAPE)).build()));
        cases.add(new Case("PullImage traversal after the registry", Status.Code.INVALID_ARGUMENT,
                ImageServiceGrpc.getPullImageMethod(), () -> PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder()
                .setImage(registry.address() + "/" + ESCAPE + ":1")).build()));
        cases.add(new Case("PullImage 1 MiB reference", Status.Code.INVALID_ARGUMENT,
                ImageServiceGrpc.getPullImageMethod(), () -> PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder()
                .setImage("a".repeat(1 << 20))).build()));
        cases.add(new Case("PullImage invalid UTF-8", Status.Code.INVALID_ARGUMENT,
                ImageServiceGrpc.getPullImageMethod(), () -> PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder()
                .setImage(Mutator.BAD_UTF8)).build()));
        cases.add(new Case("ImageStatus traversal", Status.Code.OK,
                ImageServiceGrpc.getImageStatusMethod(), () -> ImageStatusRequest.newBuilder().setImage(ImageSpec
                .newBuilder().setImage(ESCAPE)).build()));
        cases.add(new Case("RemoveImage digest that is not hex", Status.Code.OK,
                ImageServiceGrpc.getRemoveImageMethod(), () -> RemoveImageRequest.newBuilder().setImage(ImageSpec
                .newBuilder().setImage("sha256:zz")).build()));

        List<String> mismatches = new ArrayList<>();
        for (Case c : cases) {
            Message request = c.request().get();
            Status.Code actual = runner.check(c.method(), Mutator.serialize(request), request,
                    List.of(c.name())).code();
            if (actual != c.expected()) {
                mismatches.add(c.name() + ": expected " + c.expected() + ", got " + actual);
            }
        }
        assertEquals(27, cases.size());
        assertEquals(List.of(), mismatches);
        assertEquals(List.of(), runner.findings());
    }

    @Test
    void anIdPrefixOfSeveralObjectsIsRefusedByEveryCallThatTakesAnId() {
        FuzzRunner runner = new FuzzRunner(fixture, 0x1dL);
        var runtime = berth.client().runtime();
        // Sixteen first hex digits: at most 17 pods, about 5 on average, until two share one.
        List<String> pods = new ArrayList<>(List.of(fixture.podId()));
        String podPrefix = null;
        while (podPrefix == null) {
            pods.add(runtime.runPodSandbox(RunPodSandboxRequest.newBuilder()
                    .setConfig(fixture.newPodConfig(fixture.uniqueName("prefix"))).build()).getPodSandboxId());
            podPrefix = sharedFirstDigit(pods);
        }
        List<String> containers = new ArrayList<>(List.of(fixture.containerId()));
        String containerPrefix = null;
        while (containerPrefix == null) {
            containers.add(runtime.createContainer(CreateContainerRequest.newBuilder()
                    .setPodSandboxId(fixture.podId()).setSandboxConfig(fixture.podConfig())
                    .setConfig(fixture.newContainerConfig(fixture.uniqueName("prefix"), List.of("sleep", "1")))
                    .build()).getContainerId());
            containerPrefix = sharedFirstDigit(containers);
        }
        String pod = podPrefix;
        String container = containerPrefix;
        List<Case> cases = List.of(
                new Case("PodSandboxStatus", Status.Code.INVALID_ARGUMENT,
                        RuntimeServiceGrpc.getPodSandboxStatusMethod(),
                        () -> PodSandboxStatusRequest.newBuilder().setPodSandboxId(pod).build()),
                new Case("StopPodSandbox", Status.Code.INVALID_ARGUMENT, RuntimeServiceGrpc.getStopPodSandboxMethod(),
                        () -> StopPodSandboxRequest.newBuilder().setPodSandboxId(pod).build()),
                new Case("RemovePodSandbox", Status.Code.INVALID_ARGUMENT,
                        RuntimeServiceGrpc.getRemovePodSandboxMethod(),
                        () -> RemovePodSandboxRequest.newBuilder().setPodSandboxId(pod).build()),
                new Case("ContainerStatus", Status.Code.INVALID_ARGUMENT,
                        RuntimeServiceGrpc.getContainerStatusMethod(),
                        () -> ContainerStatusRequest.newBuilder().setContainerId(container).build()),
                new Case("StartContainer", Status.Code.INVALID_ARGUMENT, RuntimeServiceGrpc.getStartContainerMethod(),
                        () -> StartContainerRequest.newBuilder().setContainerId(container).build()),
                new Case("StopContainer", Status.Code.INVALID_ARGUMENT, RuntimeServiceGrpc.getStopContainerMethod(),
                        () -> StopContainerRequest.newBuilder().setContainerId(container).build()),
                new Case("RemoveContainer", Status.Code.INVALID_ARGUMENT,
                        RuntimeServiceGrpc.getRemoveContainerMethod(),
                        () -> RemoveContainerRequest.newBuilder().setContainerId(container).build()),
                new Case("ExecSync", Status.Code.INVALID_ARGUMENT, RuntimeServiceGrpc.getExecSyncMethod(),
                        () -> ExecSyncRequest.newBuilder().setContainerId(container).addCmd("true").build()),
                new Case("UpdateContainerResources", Status.Code.INVALID_ARGUMENT,
                        RuntimeServiceGrpc.getUpdateContainerResourcesMethod(),
                        () -> UpdateContainerResourcesRequest.newBuilder().setContainerId(container)
                                .setLinux(LinuxContainerResources.newBuilder().setCpuShares(2)).build()),
                new Case("ReopenContainerLog", Status.Code.INVALID_ARGUMENT,
                        RuntimeServiceGrpc.getReopenContainerLogMethod(),
                        () -> ReopenContainerLogRequest.newBuilder().setContainerId(container).build()),
                new Case("ContainerStats", Status.Code.INVALID_ARGUMENT, RuntimeServiceGrpc.getContainerStatsMethod(),
                        () -> ContainerStatsRequest.newBuilder().setContainerId(container).build()));
        List<String> mismatches = new ArrayList<>();
        for (Case c : cases) {
            Message request = c.request().get();
            Status.Code actual = runner.check(c.method(), Mutator.serialize(request), request,
                    List.of(c.name() + " of an ambiguous prefix")).code();
            if (actual != c.expected()) {
                mismatches.add(c.name() + ": expected " + c.expected() + ", got " + actual);
            }
        }
        assertEquals(List.of(), mismatches);
        assertEquals(List.of(), runner.findings());
        // Nothing was stopped or removed through the ambiguous prefixes.
        assertEquals(pods.size(), runtime.listPodSandbox(ListPodSandboxRequest.newBuilder().setFilter(
                PodSandboxFilter.newBuilder().setState(PodSandboxStateValue.newBuilder()
                        .setState(PodSandboxState.SANDBOX_READY))).build()).getItemsCount());
        assertEquals(containers.size(), runtime.listContainers(ListContainersRequest.getDefaultInstance())
                .getContainersCount());
        fixture.restore();
    }

    private static String sharedFirstDigit(List<String> ids) {
        for (int i = 0; i < ids.size(); i++) {
            for (int j = i + 1; j < ids.size(); j++) {
                if (ids.get(i).charAt(0) == ids.get(j).charAt(0)) {
                    return ids.get(i).substring(0, 1);
                }
            }
        }
        return null;
    }

    private static Case pod(String name, Status.Code expected, UnaryOperator<PodSandboxConfig.Builder> change) {
        return new Case("RunPodSandbox " + name, expected, RuntimeServiceGrpc.getRunPodSandboxMethod(),
                () -> RunPodSandboxRequest.newBuilder().setConfig(change.apply(
                        fixture.newPodConfig(fixture.uniqueName("table")).toBuilder())).build());
    }

    private static Case container(String name, Status.Code expected, UnaryOperator<ContainerConfig.Builder> change) {
        return new Case("CreateContainer " + name, expected, RuntimeServiceGrpc.getCreateContainerMethod(),
                () -> CreateContainerRequest.newBuilder().setPodSandboxId(fixture.podId())
                        .setSandboxConfig(fixture.podConfig()).setConfig(change.apply(fixture.newContainerConfig(
                                fixture.uniqueName("table"), List.of("sleep", "100000")).toBuilder())).build());
    }
}
