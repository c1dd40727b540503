package dev.berth.cri.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.cri.testing.Leftovers;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerStatusRequest;
import dev.berth.proto.runtime.v1.ExecSyncResponse;
import dev.berth.proto.runtime.v1.IDMapping;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.LinuxSandboxSecurityContext;
import dev.berth.proto.runtime.v1.Mount;
import dev.berth.proto.runtime.v1.NamespaceMode;
import dev.berth.proto.runtime.v1.NamespaceOption;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.PodSandboxStatusRequest;
import dev.berth.proto.runtime.v1.UserNamespace;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A pod in its own user namespace (userns_options mode POD, container ids 0..65535 on host ids 1,000,000..):
 * its containers see the mapping, are root inside and uid 1,000,000 on the host, see the image's root-owned files as
 * root through idmapped layer views (nothing copied), write their own layer as the mapped root, use the pod's files
 * and shm, and cannot write where only host root may. Removing the container leaves no layer view mounted; removing
 * the pod leaves no user namespace pin.
 */
@Tag("host")
class UserNamespacePodTest {

    static final long HOST_ROOT = 1_000_000;
    static final IDMapping MAPPING = IDMapping.newBuilder().setContainerId(0).setHostId((int) HOST_ROOT)
            .setLength(65_536).build();
    static final TestRegistry registry = TestRegistry.start();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n");

    static PushedImage busybox;

    @BeforeAll
    static void pull() {
        busybox = berth.pullBusybox(registry, "userns/busybox");
    }

    @AfterAll
    static void checkLeftovers() {
        registry.close();
        berth.stopDaemon();
        berth.assertNothingLeft();
    }

    @Test
    void aPodInItsOwnUserNamespaceRunsAsTheMappedIds() throws Exception {
        Path hostOnly = Files.createDirectories(berth.home().resolve("userns-host-only"));
        Files.setPosixFilePermissions(hostOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        String podId;
        try (TestPod pod = TestPod.run(berth, busybox.imageId(), usernsPod("userns"))) {
            podId = pod.id();
            Path userPin = berth.state().resolve("ns").resolve("user").resolve(podId);
            assertTrue(Leftovers.mountsUnder(userPin.getParent()).contains(userPin), "user namespace pinned");
            assertEquals(UserNamespace.newBuilder().setMode(NamespaceMode.POD).addUids(MAPPING).addGids(MAPPING)
                    .build(), berth.client().runtime().podSandboxStatus(PodSandboxStatusRequest.newBuilder()
                            .setPodSandboxId(podId).build()).getStatus().getLinux().getNamespaces().getOptions()
                    .getUsernsOptions());

            String id = pod.run(pod.container("main").addMounts(Mount.newBuilder().setContainerPath("/host-only")
                    .setHostPath(hostOnly.toString())));
            Path upper = berth.home().resolve("root").resolve("overlay2").resolve("containers").resolve(id);
            try {
                assertEquals("0 1000000 65536", words(pod.exec(id, "cat", "/proc/self/uid_map")));
                assertEquals("0 1000000 65536", words(pod.exec(id, "cat", "/proc/self/gid_map")));
                assertEquals("0\n", pod.exec(id, "id", "-u"));
                // The image's files are root's on the host, and root's inside through the idmapped views.
                assertEquals("0\n", pod.exec(id, "stat", "-c", "%u", "/bin/busybox"));

                long pid = hostPid(id);
                String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
                assertTrue(status.contains("\nUid:\t1000000\t1000000\t1000000\t1000000\n"), status);
                assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/user")),
                        Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "user")));

                pod.exec(id, "touch", "/made-in-pod");
                assertEquals(HOST_ROOT, uid(upper.resolve("diff").resolve("made-in-pod")));
                pod.exec(id, "sh", "-c", "echo x > /tmp/t && echo y > /dev/shm/s && cat /tmp/t /dev/shm/s");
                assertEquals("userns\n", pod.exec(id, "cat", "/etc/hostname"));
                pod.exec(id, "cat", "/etc/resolv.conf");

                // Root in the pod is not root on the host: a root-owned 0755 host directory is not its to write.
                ExecSyncResponse denied = pod.execSync(id, "touch", "/host-only/x");
                assertNotEquals(0, denied.getExitCode());
                assertTrue(denied.getStderr().toStringUtf8().contains("Permission denied"),
                        denied.getStderr().toStringUtf8());
                assertFalse(Files.exists(hostOnly.resolve("x")));

                assertTrue(Leftovers.mountsUnder(upper).contains(upper.resolve("m").resolve("0")),
                        "the layers are seen through idmapped views");
            } finally {
                pod.remove(id);
            }
            assertEquals(List.of(), Leftovers.mountsUnder(upper), "layer views left mounted");
            assertFalse(Files.exists(upper));
        } finally {
            Files.deleteIfExists(hostOnly);
        }
        assertEquals(List.of(), Leftovers.mountsUnder(berth.state().resolve("ns").resolve("user")).stream()
                .filter(p -> p.getFileName().toString().equals(podId)).toList(), "user namespace pin left");
        assertFalse(Files.exists(berth.state().resolve("ns").resolve("user").resolve(podId)));
    }

    @Test
    void aUserNamespacePodKeepsRunningAcrossADaemonRestart() throws Exception {
        try (TestPod pod = TestPod.run(berth, busybox.imageId(), usernsPod("userns-restart"))) {
            String id = pod.run(pod.container("main"));
            Path upper = berth.home().resolve("root").resolve("overlay2").resolve("containers").resolve(id);
            try {
                berth.restartDaemon();
                assertEquals("0 1000000 65536", words(pod.exec(id, "cat", "/proc/self/uid_map")));
                assertEquals("0\n", pod.exec(id, "stat", "-c", "%u", "/bin/busybox"));
            } finally {
                pod.remove(id);
            }
            assertEquals(List.of(), Leftovers.mountsUnder(upper), "layer views left mounted");
        }
    }

    @Test
    void aSharedPidPodInItsOwnUserNamespaceHasItsHolderThere() throws Exception {
        try (TestPod pod = TestPod.run(berth, busybox.imageId(), usernsPod("userns-shared-pid", NamespaceMode.POD))) {
            String first = pod.run(sharingPid(pod.container("first")));
            String second = pod.run(sharingPid(pod.container("second", "sh", "-c", "echo $$ > /tmp/me; sleep 600")));
            try {
                // One process tree: the holder is PID 1 for both, and each sees the other's processes.
                assertEquals("/catatonit", pod.exec(first, "cat", "/proc/1/cmdline").split("\0")[0]);
                String secondPid = pod.exec(second, "cat", "/tmp/me").strip();
                // busybox sh replaces itself with its last command.
                assertEquals("sleep", pod.exec(first, "cat", "/proc/" + secondPid + "/comm").strip());
                assertEquals("0 1000000 65536", words(pod.exec(second, "cat", "/proc/self/uid_map")));

                // On the host, the holder runs as the pod's mapped nobody (65535), in the pod's user namespace,
                // and the PID namespace it holds is the containers'.
                long container = hostPid(first);
                Path pidNs = Files.readSymbolicLink(Path.of("/proc", Long.toString(container), "ns", "pid"));
                long holder = holderOf(pidNs);
                String status = Files.readString(Path.of("/proc", Long.toString(holder), "status"));
                assertTrue(status.contains("\nUid:\t1065535\t1065535\t1065535\t1065535\n"), status);
                assertEquals(Files.readSymbolicLink(Path.of("/proc", Long.toString(container), "ns", "user")),
                        Files.readSymbolicLink(Path.of("/proc", Long.toString(holder), "ns", "user")));
            } finally {
                pod.remove(first);
                pod.remove(second);
            }
        }
    }

    private static ContainerConfig.Builder sharingPid(ContainerConfig.Builder container) {
        return container.setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(
                LinuxContainerSecurityContext.newBuilder().setNamespaceOptions(
                        NamespaceOption.newBuilder().setPid(NamespaceMode.POD))));
    }

    /** The host PID of the process that is PID 1 of {@code pidNs}. */
    private static long holderOf(Path pidNs) throws Exception {
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String status = Files.readString(proc.resolve("status"));
                    Matcher nspid = Pattern.compile("\nNSpid:\t(\\d+)\t1\n").matcher(status);
                    if (nspid.find() && Files.readSymbolicLink(proc.resolve("ns").resolve("pid")).equals(pidNs)) {
                        return Long.parseLong(nspid.group(1));
                    }
                } catch (java.io.IOException gone) {
                    // A process that ended while the list was read.
                }
            }
        }
        throw new AssertionError("no process is PID 1 of " + pidNs);
    }

    private static PodSandboxConfig usernsPod(String name) {
        return usernsPod(name, NamespaceMode.CONTAINER);
    }

    private static PodSandboxConfig usernsPod(String name, NamespaceMode pid) {
        String uid = UUID.randomUUID().toString();
        return PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(name).setNamespace("default").setUid(uid))
                .setHostname(name)
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(berth.cgroupParent())
                        .setSecurityContext(LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(
                                NamespaceOption.newBuilder().setPid(pid)
                                        .setUsernsOptions(UserNamespace.newBuilder()
                                        .setMode(NamespaceMode.POD).addUids(MAPPING).addGids(MAPPING)))))
                .setLogDirectory(berth.home().resolve("logs").resolve(uid).toString())
                .build();
    }

    private static long hostPid(String containerId) {
        String info = berth.client().runtime().containerStatus(ContainerStatusRequest.newBuilder()
                .setContainerId(containerId).setVerbose(true).build()).getInfoOrThrow("info");
        Matcher pid = Pattern.compile("\"pid\"\\s*:\\s*(\\d+)").matcher(info);
        assertTrue(pid.find(), info);
        return Long.parseLong(pid.group(1));
    }

    private static long uid(Path file) throws Exception {
        return ((Integer) Files.getAttribute(file, "unix:uid")).longValue();
    }

    private static String words(String text) {
        return text.strip().replaceAll("\\s+", " ");
    }
}
