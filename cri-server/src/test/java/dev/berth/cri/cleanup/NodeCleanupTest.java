package dev.berth.cri.cleanup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.exec.Command;
import dev.berth.common.fs.Trees;
import dev.berth.cri.crash.DaemonUnderTest;
import dev.berth.cri.testing.BerthProcess;
import dev.berth.cri.testing.Leftovers;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerMetadata;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.StartContainerRequest;
import dev.berth.proto.runtime.v1.StopPodSandboxRequest;
import dev.berth.testing.cri.CriClient;
import dev.berth.testing.image.BusyboxImages;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * `berth cleanup` against a real daemon in a JVM of its own: refused while that daemon runs; after it stopped with a
 * stopped pod on the node, the host holds nothing of it but the images.
 */
@Tag("host")
class NodeCleanupTest {

    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    private TestRegistry registry;
    private DaemonUnderTest daemon;
    private Path cli;

    @BeforeEach
    void setUp() throws Exception {
        registry = TestRegistry.start();
        daemon = new DaemonUnderTest(registry.address(), "");
        cli = Files.createTempDirectory("berth-cleanup-cli-");
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            daemon.stop();
            daemon.close();
        } finally {
            registry.close();
            Trees.deleteRecursively(cli);
        }
    }

    @Test
    void isRefusedWhileTheDaemonRunsAndTouchesNothing() throws Exception {
        daemon.start();

        assertEquals(1, cleanup());
        assertTrue(stderr().contains("another berth (pid " + daemon.pid() + ")"), stderr());
        assertTrue(bridgeExists(), "the running daemon's bridge is still there");
        assertTrue(nftTableExists(), "the running daemon's nftables table is still there");
        assertTrue(Files.exists(daemon.socket()), "the running daemon's socket is still there");
        try (CriClient client = daemon.connect()) {
            client.runtime().version(dev.berth.proto.runtime.v1.VersionRequest.getDefaultInstance());
        }
    }

    @Test
    void removesBridgeTableMountsCgroupsAndRuntimeStateButKeepsImages() throws Exception {
        PushedImage busybox = BusyboxImages.busybox(registry, "cleanup/busybox", "v1");
        daemon.start();
        PodSandboxConfig pod = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("web").setNamespace("cleanup").setUid("u-1"))
                .setLogDirectory(daemon.logs.resolve("web").toString())
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(daemon.cgroupParent))
                .build();
        try (CriClient client = daemon.connect()) {
            client.images().pullImage(PullImageRequest.newBuilder()
                    .setImage(ImageSpec.newBuilder().setImage(busybox.reference())).build());
            String podId = client.runtime().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(pod).build())
                    .getPodSandboxId();
            String container = client.runtime().createContainer(CreateContainerRequest.newBuilder()
                    .setPodSandboxId(podId).setSandboxConfig(pod)
                    .setConfig(ContainerConfig.newBuilder()
                            .setMetadata(ContainerMetadata.newBuilder().setName("server"))
                            .setImage(ImageSpec.newBuilder().setImage(busybox.imageId()))
                            .addAllCommand(List.of("sleep", "3600"))
                            .setLogPath("server/0.log"))
                    .build()).getContainerId();
            client.runtime().startContainer(StartContainerRequest.newBuilder().setContainerId(container).build());
            client.runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
        }
        daemon.stop();
        // What a stopped daemon with a stopped (not removed) pod leaves: the host state cleanup is for.
        assertTrue(bridgeExists(), "bridge before cleanup");
        assertTrue(nftTableExists(), "nftables table before cleanup");
        assertNotEquals(List.of(), Leftovers.mountsUnder(daemon.state), "namespace pins before cleanup");
        assertNotEquals(List.of(), cgroupDirs(), "the pod's cgroup parent before cleanup");
        assertTrue(Files.isDirectory(daemon.root.resolve("sandboxes")), "records before cleanup");
        // A removed container's rootfs whose deletion the daemon had not finished.
        Files.createDirectories(daemon.root.resolve("overlay2/trash/left-1/diff"));

        assertEquals(0, cleanup(), stderr());

        assertFalse(bridgeExists(), "bridge " + daemon.network.bridge() + " left in ip link");
        assertFalse(nftTableExists(), "nftables table left");
        assertEquals(List.of(), Leftovers.mountsUnder(daemon.state), "mounts left under the state directory");
        assertEquals(List.of(), Leftovers.mountsUnder(daemon.root), "mounts left under the storage root");
        assertEquals(List.of(), cgroupDirs(), "cgroups left under the pod's parent");
        assertEquals(List.of(), Leftovers.processesUsing(daemon.home, daemon.state), "processes left");
        assertFalse(Files.exists(daemon.state), "runtime state directory left");
        assertFalse(Files.exists(daemon.socket()), "socket left");
        assertFalse(Files.exists(daemon.root.resolve("sandboxes")), "sandbox records left");
        assertFalse(Files.exists(daemon.root.resolve("containers")), "container records left");
        assertFalse(Files.exists(daemon.root.resolve("cni")), "IPAM state left");
        assertFalse(Files.exists(daemon.root.resolve("overlay2/containers")), "container root filesystems left");
        assertFalse(Files.exists(daemon.root.resolve("overlay2/trash")), "removed root filesystems left");
        assertTrue(Files.isDirectory(daemon.root.resolve("images/blobs")), "images are kept without --images");
        String out = Files.readString(cli.resolve("stdout"));
        assertTrue(out.contains("removed bridge " + daemon.network.bridge() + "\n"), out);
        assertTrue(out.contains("removed nftables table inet " + nftTable() + "\n"), out);
        assertTrue(out.contains("removed mount " + daemon.state.resolve("ns")), out);

        // Nothing is left to remove, and the next run says so; --images takes the image storage as well.
        assertEquals(0, cleanup("--images"), stderr());
        assertFalse(Files.exists(daemon.root), "storage root left after --images");
    }

    private int cleanup(String... extra) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("cleanup", "--config",
                daemon.home.resolve("config.toml").toString()));
        args.addAll(List.of(extra));
        Process process = BerthProcess.start(cli, args.toArray(String[]::new));
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "berth cleanup did not finish");
        return process.exitValue();
    }

    private String stderr() throws IOException {
        Path file = cli.resolve("stderr");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private String nftTable() {
        return "berth_" + daemon.network.bridge();
    }

    private boolean bridgeExists() {
        return Command.of("ip", "link", "show", daemon.network.bridge()).run().succeeded();
    }

    private boolean nftTableExists() {
        return Command.of("nft", "list", "table", "inet", nftTable()).run().succeeded();
    }

    /** The pod's cgroup parent and anything below it, in every hierarchy. */
    private List<Path> cgroupDirs() throws IOException {
        String relative = daemon.cgroupParent.substring(1);
        try (Stream<Path> hierarchies = Files.list(CGROUP_ROOT)) {
            return hierarchies.map(h -> h.resolve(relative)).filter(Files::isDirectory).toList();
        }
    }
}
