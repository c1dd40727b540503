package dev.berth.cri.fuzz;

import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.proto.runtime.v1.Container;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerMetadata;
import dev.berth.proto.runtime.v1.ContainerState;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.DNSConfig;
import dev.berth.proto.runtime.v1.Image;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.KeyValue;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerResources;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.ListContainersRequest;
import dev.berth.proto.runtime.v1.ListImagesRequest;
import dev.berth.proto.runtime.v1.ListPodSandboxRequest;
import dev.berth.proto.runtime.v1.Mount;
import dev.berth.proto.runtime.v1.PodSandbox;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.PodSandboxState;
import dev.berth.proto.runtime.v1.PortMapping;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.proto.runtime.v1.RemoveContainerRequest;
import dev.berth.proto.runtime.v1.RemoveImageRequest;
import dev.berth.proto.runtime.v1.RemovePodSandboxRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.StartContainerRequest;
import dev.berth.proto.runtime.v1.StopContainerRequest;
import dev.berth.proto.runtime.v1.StopPodSandboxRequest;
import dev.berth.proto.runtime.v1.VersionRequest;
import dev.berth.testing.cri.CriClient;
import dev.berth.testing.image.BusyboxImages;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live objects fuzzed requests aim at: a pulled busybox image, a READY pod and a RUNNING container in it. After a
 * request that was accepted, {@link #restore} puts the daemon back in exactly this state: whatever the request made is
 * removed, whatever it stopped or removed of the fixture is made again.
 */
final class FuzzFixture {

    private final BerthServerExtension berth;
    private final TestRegistry registry;
    private final AtomicInteger names = new AtomicInteger();
    private PushedImage busybox;
    private PodSandboxConfig podConfig;
    private String podId;
    private String containerId;

    FuzzFixture(BerthServerExtension berth, TestRegistry registry) {
        this.berth = berth;
        this.registry = registry;
    }

    void start() {
        busybox = BusyboxImages.busybox(registry, "fuzz/busybox", "v1");
        try {
            Files.createDirectories(volume());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        pull();
        makePodAndContainer();
    }

    CriClient client() {
        return berth.client();
    }

    BerthServerExtension berth() {
        return berth;
    }

    String registryAddress() {
        return registry.address();
    }

    PushedImage image() {
        return busybox;
    }

    String podId() {
        return podId;
    }

    String containerId() {
        return containerId;
    }

    PodSandboxConfig podConfig() {
        return podConfig;
    }

    /** A directory the fixture's containers mount. */
    Path volume() {
        return berth.home().resolve("volume");
    }

    List<String> ids() {
        List<String> ids = new ArrayList<>(List.of(podId, containerId, busybox.imageId()));
        ids.add(busybox.imageId().replace("sha256:", ""));
        return ids;
    }

    /** A kubelet-like pod config: unique name and uid, labels, annotations, DNS, a port, the test's cgroup parent. */
    PodSandboxConfig newPodConfig(String name) {
        String uid = UUID.randomUUID().toString();
        return PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(name).setNamespace("fuzz").setUid(uid)
                        .setAttempt(0))
                .setHostname(name)
                .setLogDirectory(berth.home().resolve("logs").resolve("fuzz_" + name + "_" + uid).toString())
                .setDnsConfig(DNSConfig.newBuilder().addServers("10.96.0.10").addSearches("fuzz.svc.cluster.local")
                        .addOptions("ndots:5"))
                .addPortMappings(PortMapping.newBuilder().setContainerPort(80))
                .putLabels("io.kubernetes.pod.name", name)
                .putLabels("io.kubernetes.pod.namespace", "fuzz")
                .putAnnotations("kubernetes.io/config.source", "api")
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(berth.cgroupParent())
                        .putSysctls("net.ipv4.ip_unprivileged_port_start", "0"))
                .build();
    }

    /** A kubelet-like container config for the given pod. */
    ContainerConfig newContainerConfig(String name, List<String> command) {
        return ContainerConfig.newBuilder()
                .setMetadata(ContainerMetadata.newBuilder().setName(name).setAttempt(0))
                .setImage(ImageSpec.newBuilder().setImage(busybox.imageId())
                        .setUserSpecifiedImage(busybox.reference()))
                .addAllCommand(command)
                .setWorkingDir("/")
                .addEnvs(KeyValue.newBuilder().setKey("FUZZ").setValue("1"))
                .addMounts(Mount.newBuilder().setContainerPath("/data").setHostPath(volume().toString()))
                .setLogPath(name + "/0.log")
                .putLabels("io.kubernetes.container.name", name)
                .putAnnotations("io.kubernetes.container.restartCount", "0")
                .setLinux(LinuxContainerConfig.newBuilder().setResources(LinuxContainerResources.newBuilder()
                        .setCpuShares(2).setCpuPeriod(100_000).setCpuQuota(50_000)
                        .setMemoryLimitInBytes(64L << 20).setOomScoreAdj(100)))
                .build();
    }

    String uniqueName(String prefix) {
        return prefix + "-" + names.incrementAndGet();
    }

    /**
     * Puts the daemon back in the fixture state. Returns true when something had to be undone (the fuzzed request
     * changed the state).
     */
    boolean restore() {
        var runtime = client().runtime();
        boolean changed = false;
        for (Container container : runtime.listContainers(ListContainersRequest.getDefaultInstance())
                .getContainersList()) {
            if (!container.getId().equals(containerId)) {
                runtime.stopContainer(StopContainerRequest.newBuilder().setContainerId(container.getId()).build());
                runtime.removeContainer(RemoveContainerRequest.newBuilder().setContainerId(container.getId()).build());
                changed = true;
            }
        }
        for (PodSandbox pod : runtime.listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsList()) {
            if (!pod.getId().equals(podId)) {
                removePod(pod.getId());
                changed = true;
            }
        }
        Set<String> images = imageIds();
        for (String image : images) {
            if (!image.equals(busybox.imageId())) {
                client().images().removeImage(RemoveImageRequest.newBuilder()
                        .setImage(ImageSpec.newBuilder().setImage(image)).build());
                changed = true;
            }
        }
        if (!images.contains(busybox.imageId())) {
            pull();
            changed = true;
        }
        if (!fixtureIntact()) {
            removePod(podId);
            makePodAndContainer();
            changed = true;
        }
        return changed;
    }

    /** Removes every object the fixture made. */
    void remove() {
        restore();
        removePod(podId);
        client().images().removeImage(RemoveImageRequest.newBuilder()
                .setImage(ImageSpec.newBuilder().setImage(busybox.imageId())).build());
    }

    private boolean fixtureIntact() {
        var runtime = client().runtime();
        boolean podReady = runtime.listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsList().stream()
                .anyMatch(p -> p.getId().equals(podId) && p.getState() == PodSandboxState.SANDBOX_READY);
        boolean running = runtime.listContainers(ListContainersRequest.getDefaultInstance()).getContainersList()
                .stream().anyMatch(c -> c.getId().equals(containerId)
                        && c.getState() == ContainerState.CONTAINER_RUNNING);
        return podReady && running;
    }

    private void makePodAndContainer() {
        podConfig = newPodConfig(uniqueName("fixture"));
        var runtime = client().runtime();
        podId = runtime.runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(podConfig).build())
                .getPodSandboxId();
        // Ends at once on SIGTERM, so a fuzzed StopContainer does not wait out its timeout.
        containerId = runtime.createContainer(CreateContainerRequest.newBuilder()
                .setPodSandboxId(podId)
                .setSandboxConfig(podConfig)
                .setConfig(newContainerConfig("sleeper",
                        List.of("sh", "-c", "trap 'exit 0' TERM; sleep 100000 & wait")))
                .build()).getContainerId();
        runtime.startContainer(StartContainerRequest.newBuilder().setContainerId(containerId).build());
    }

    private void removePod(String id) {
        var runtime = client().runtime();
        runtime.stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(id).build());
        runtime.removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(id).build());
    }

    private void pull() {
        client().images().pullImage(PullImageRequest.newBuilder()
                .setImage(ImageSpec.newBuilder().setImage(busybox.reference())).build());
    }

    Set<String> imageIds() {
        Set<String> ids = new TreeSet<>();
        for (Image image : client().images().listImages(ListImagesRequest.getDefaultInstance()).getImagesList()) {
            ids.add(image.getId());
        }
        return ids;
    }

    /** The daemon answers: the oracle's liveness check. */
    String version() {
        return client().runtime().version(VersionRequest.getDefaultInstance()).getRuntimeName();
    }
}
