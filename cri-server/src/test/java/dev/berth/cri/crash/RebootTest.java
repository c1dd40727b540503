package dev.berth.cri.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.exec.Command;
import dev.berth.common.fs.MountTable;
import dev.berth.common.fs.Trees;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerMetadata;
import dev.berth.proto.runtime.v1.ContainerState;
import dev.berth.proto.runtime.v1.ContainerStatus;
import dev.berth.proto.runtime.v1.ContainerStatusRequest;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.ExecSyncRequest;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.PodSandboxState;
import dev.berth.proto.runtime.v1.PodSandboxStatus;
import dev.berth.proto.runtime.v1.PodSandboxStatusRequest;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.proto.runtime.v1.RemovePodSandboxRequest;
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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A reboot as berth sees it: the runtime state directory (a tmpfs on a node) is empty, the storage root is as it
 * was, and everything the kernel held is gone: the containers' and conmon's processes, overlay and namespace mounts,
 * network namespaces, veths, the bridge and its nftables table, cgroups. The test takes these away itself, only for
 * what its own daemon made. berth must come up, report the pods NOTREADY and the containers EXITED, and free what
 * they still hold in the storage root (IP reservations, records) on StopPodSandbox and RemovePodSandbox.
 */
@Tag("host")
class RebootTest {

    private TestRegistry registry;
    private DaemonUnderTest daemon;

    @BeforeEach
    void setUp() throws Exception {
        registry = TestRegistry.start();
        daemon = new DaemonUnderTest(registry.address(), "");
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            daemon.removeAllPodsAndCheckNothingLeft();
        } finally {
            daemon.close();
            registry.close();
        }
    }

    @Test
    void afterARebootPodsAreNotReadyContainersExitedAndStopRemoveFreeTheirResources() throws Exception {
        PushedImage busybox = BusyboxImages.busybox(registry, "reboot/busybox", "v1");
        daemon.start();
        PodSandboxConfig pod = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("web").setNamespace("reboot").setUid("u-1"))
                .setLogDirectory(daemon.logs.resolve("web").toString())
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(daemon.cgroupParent))
                .putLabels("app", "web")
                .putAnnotations("note", "before the reboot")
                .build();
        String podId;
        String running;
        PodSandboxStatus before;
        try (CriClient client = daemon.connect()) {
            client.images().pullImage(PullImageRequest.newBuilder()
                    .setImage(ImageSpec.newBuilder().setImage(busybox.reference())).build());
            podId = client.runtime().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(pod).build())
                    .getPodSandboxId();
            before = client.runtime().podSandboxStatus(PodSandboxStatusRequest.newBuilder().setPodSandboxId(podId)
                    .build()).getStatus();
            running = client.runtime().createContainer(CreateContainerRequest.newBuilder().setPodSandboxId(podId)
                    .setSandboxConfig(pod)
                    .setConfig(ContainerConfig.newBuilder()
                            .setMetadata(ContainerMetadata.newBuilder().setName("server"))
                            .setImage(ImageSpec.newBuilder().setImage(busybox.imageId()))
                            .addAllCommand(List.of("sleep", "3600"))
                            .setLogPath("server/0.log"))
                    .build()).getContainerId();
            client.runtime().startContainer(StartContainerRequest.newBuilder().setContainerId(running).build());
        }
        assertTrue(Files.list(daemon.root.resolve("cni").resolve("ipam")).anyMatch(p -> readable(p).contains(podId)),
                "the pod's address is reserved in the storage root");

        daemon.kill();
        reboot();

        daemon.start();
        try (CriClient client = daemon.connect()) {
            PodSandboxStatus after = client.runtime().podSandboxStatus(PodSandboxStatusRequest.newBuilder()
                    .setPodSandboxId(podId).build()).getStatus();
            assertEquals(PodSandboxState.SANDBOX_NOTREADY, after.getState());
            assertEquals(before.getCreatedAt(), after.getCreatedAt());
            assertEquals(Map.of("app", "web"), after.getLabelsMap());
            assertEquals(Map.of("note", "before the reboot"), after.getAnnotationsMap());
            ContainerStatus server = client.runtime().containerStatus(ContainerStatusRequest.newBuilder()
                    .setContainerId(running).build()).getStatus();
            assertEquals(ContainerState.CONTAINER_EXITED, server.getState());
            assertNotEquals(0, server.getFinishedAt(), "an exited container has a finish time");
            assertEquals(daemon.logs.resolve("web/server/0.log").toString(), server.getLogPath());

            client.runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
            client.runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
            assertEquals(Map.of(), HostInventory.of(daemon).byId(), "held on the host after the pod was removed");

            // The node works again: the same pod, run anew, gets a network and runs a container.
            String again = client.runtime().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(pod).build())
                    .getPodSandboxId();
            String c = client.runtime().createContainer(CreateContainerRequest.newBuilder().setPodSandboxId(again)
                    .setSandboxConfig(pod)
                    .setConfig(ContainerConfig.newBuilder()
                            .setMetadata(ContainerMetadata.newBuilder().setName("server"))
                            .setImage(ImageSpec.newBuilder().setImage(busybox.imageId()))
                            .addAllCommand(List.of("sleep", "3600")))
                    .build()).getContainerId();
            client.runtime().startContainer(StartContainerRequest.newBuilder().setContainerId(c).build());
            String addresses = client.runtime().execSync(ExecSyncRequest.newBuilder().setContainerId(c)
                    .addAllCmd(List.of("ip", "-4", "-o", "addr", "show", "eth0")).setTimeout(20).build())
                    .getStdout().toStringUtf8();
            String ip = client.runtime().podSandboxStatus(PodSandboxStatusRequest.newBuilder()
                    .setPodSandboxId(again).build()).getStatus().getNetwork().getIp();
            assertTrue(addresses.contains(" " + ip + "/"), () -> "eth0 carries the pod IP " + ip + ": " + addresses);
        }
    }

    /** What a reboot takes away, for this daemon's objects only. */
    private void reboot() throws Exception {
        // Processes: everything in the test's cgroups (containers, pid holders) and conmon, by its command line.
        for (long pid : cgroupTasks()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(daemon.state.toString()))
                .forEach(ProcessHandle::destroyForcibly);
        awaitGone();
        // Mounts: overlay roots, shm, namespace pins, the pin directory.
        for (Path dir : List.of(daemon.home, daemon.state)) {
            MountTable.current().under(dir).stream().map(MountTable.Entry::mountPoint)
                    .sorted(Comparator.reverseOrder())
                    .forEach(point -> Command.of("umount", "-l", point.toString()).check());
        }
        // Links and rules: veths go with their namespaces; the bridge and its table are the kernel's too.
        daemon.network.remove();
        // Cgroups: empty now, deepest first.
        for (Path dir : cgroupDirs()) {
            Command.of("rmdir", dir.toString()).check();
        }
        // The runtime state directory is a tmpfs: empty after a reboot.
        try (Stream<Path> entries = Files.list(daemon.state)) {
            entries.forEach(Trees::deleteRecursively);
        }
    }

    private List<Long> cgroupTasks() throws IOException {
        return cgroupDirs().stream().flatMap(dir -> {
            try {
                return Files.readAllLines(dir.resolve("tasks")).stream().map(Long::parseLong);
            } catch (IOException e) {
                return Stream.of();
            }
        }).distinct().toList();
    }

    /** The test's cgroups below its parent, in every hierarchy, deepest first. */
    private List<Path> cgroupDirs() throws IOException {
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            // cpu and cpuacct are links to one hierarchy: each directory once, by its real path.
            return hierarchies.map(h -> h.resolve(daemon.cgroupParent.substring(1))).filter(Files::isDirectory)
                    .map(RebootTest::realPath).distinct()
                    .flatMap(top -> {
                        try (Stream<Path> walk = Files.walk(top)) {
                            return walk.filter(Files::isDirectory).filter(p -> !p.equals(top)).toList().stream();
                        } catch (IOException e) {
                            return Stream.of();
                        }
                    })
                    .sorted(Comparator.comparingInt(Path::getNameCount).reversed())
                    .toList();
        }
    }

    private void awaitGone() throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!cgroupTasks().isEmpty() || ProcessHandle.allProcesses()
                .anyMatch(p -> p.info().commandLine().orElse("").contains(daemon.state.toString()))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("processes of the test's pods did not end: " + cgroupTasks());
            }
            Thread.sleep(20);
        }
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String readable(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }
}
