package dev.berth.cri.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.exec.Command;
import dev.berth.common.fs.MountTable;
import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.Device;
import dev.berth.proto.runtime.v1.ExecSyncResponse;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.Mount;
import dev.berth.proto.runtime.v1.MountPropagation;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bind mounts as the container and the host see them: read-only, mount propagation in both directions (on tmpfs
 * mounts this test makes under its own directory and removes), and devices with their cgroup permissions.
 */
@Tag("host")
class ContainerMountsTest {

    static final TestRegistry registry = TestRegistry.start();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n");

    static TestPod pod;

    @BeforeAll
    static void pullAndRunPod() {
        PushedImage busybox = berth.pullBusybox(registry, "mounts/busybox");
        // Privileged: the kubelet makes every pod with a BIDIRECTIONAL mount privileged.
        pod = TestPod.run(berth, busybox.imageId(), "mounts", true);
    }

    @AfterAll
    static void removePodAndCheckLeftovers() {
        pod.close();
        registry.close();
        berth.stopDaemon();
        berth.assertNothingLeft();
    }

    @Test
    void aReadOnlyBindRefusesWritesAndAWritableOneReachesTheHost() throws Exception {
        Path dir = Files.createDirectories(berth.home().resolve("binds"));
        String id = pod.run(pod.container("binds")
                .addMounts(Mount.newBuilder().setContainerPath("/ro").setHostPath(dir.toString()).setReadonly(true))
                .addMounts(Mount.newBuilder().setContainerPath("/rw").setHostPath(dir.toString())));
        try {
            ExecSyncResponse write = pod.execSync(id, "touch", "/ro/written");
            assertNotEquals(0, write.getExitCode());
            assertTrue(write.getStderr().toStringUtf8().contains("Read-only file system"),
                    write.getStderr().toStringUtf8());
            pod.exec(id, "touch", "/rw/written");
            assertTrue(Files.exists(dir.resolve("written")));
        } finally {
            pod.remove(id);
            Files.deleteIfExists(dir.resolve("written"));
            Files.delete(dir);
        }
    }

    @Test
    void aBidirectionalMountShowsTheContainersMountsOnTheHost() throws Exception {
        Path shared = sharedTmpfs("bidirectional");
        try {
            String id = pod.run(pod.container("bidirectional").setLinux(privileged())
                    .addMounts(Mount.newBuilder().setContainerPath("/shared").setHostPath(shared.toString())
                            .setPropagation(MountPropagation.PROPAGATION_BIDIRECTIONAL)));
            try {
                pod.exec(id, "mkdir", "/shared/inner");
                pod.exec(id, "mount", "-t", "tmpfs", "inner", "/shared/inner");
                assertTrue(MountTable.current().isMountPoint(shared.resolve("inner")),
                        "the container's mount did not reach the host");
                pod.exec(id, "umount", "/shared/inner");
            } finally {
                pod.remove(id);
            }
        } finally {
            unmount(shared);
        }
    }

    @Test
    void hostToContainerShowsTheHostsLaterMountsAndPrivateDoesNot() throws Exception {
        Path shared = sharedTmpfs("host-to-container");
        String slave = null;
        String isolated = null;
        try {
            slave = pod.run(pod.container("rslave").addMounts(Mount.newBuilder().setContainerPath("/h")
                    .setHostPath(shared.toString()).setPropagation(MountPropagation.PROPAGATION_HOST_TO_CONTAINER)));
            isolated = pod.run(pod.container("rprivate").addMounts(Mount.newBuilder().setContainerPath("/h")
                    .setHostPath(shared.toString()).setPropagation(MountPropagation.PROPAGATION_PRIVATE)));
            Path late = Files.createDirectories(shared.resolve("late"));
            Command.of("mount", "-t", "tmpfs", "late", late.toString()).check();
            assertTrue(pod.exec(slave, "cat", "/proc/self/mountinfo").contains(" /h/late "),
                    "the host's mount did not reach the HOST_TO_CONTAINER container");
            assertTrue(!pod.exec(isolated, "cat", "/proc/self/mountinfo").contains(" /h/late "),
                    "the host's mount reached the PRIVATE container");
        } finally {
            if (slave != null) {
                pod.remove(slave);
            }
            if (isolated != null) {
                pod.remove(isolated);
            }
            unmount(shared);
        }
    }

    @Test
    void aBidirectionalMountOnAPrivateHostMountIsRefusedNamingIt() throws Exception {
        Path dir = Files.createDirectories(berth.home().resolve("private-source"));
        Command.of("mount", "-t", "tmpfs", "private-source", dir.toString()).check();
        Command.of("mount", "--make-private", dir.toString()).check();
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> pod.create(
                    pod.container("not-shared").setLinux(privileged()).addMounts(Mount.newBuilder()
                            .setContainerPath("/shared").setHostPath(dir.toString())
                            .setPropagation(MountPropagation.PROPAGATION_BIDIRECTIONAL))));
            assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode(), e.getMessage());
            assertTrue(e.getStatus().getDescription().contains(dir + " is on the mount " + dir
                    + ", which is not a shared mount"), e.getMessage());
        } finally {
            unmount(dir);
        }
    }

    @Test
    void deviceAccessFollowsItsPermissionsInTheContainerAndItsCgroup() throws Exception {
        // /dev/null is allowed rwm to every container already (the default device rules), so a narrower rule for
        // it changes nothing; /dev/loop0 (block 7:0) is allowed only by the request. Opening it for writing
        // writes nothing.
        String readOnly = pod.run(device("loop-r", "r"));
        String readWrite = pod.run(device("loop-rw", "rw"));
        try {
            ExecSyncResponse write = pod.execSync(readOnly, "sh", "-c", ": > /dev/myloop");
            assertNotEquals(0, write.getExitCode());
            assertTrue(write.getStderr().toStringUtf8().contains("Operation not permitted"),
                    write.getStderr().toStringUtf8());
            pod.exec(readOnly, "dd", "if=/dev/myloop", "of=/dev/null", "count=0");
            pod.exec(readWrite, "sh", "-c", ": > /dev/myloop");
            assertTrue(devicesList(readOnly).contains("b 7:0 r\n"), devicesList(readOnly));
            assertTrue(devicesList(readWrite).contains("b 7:0 rw\n"), devicesList(readWrite));
        } finally {
            pod.remove(readOnly);
            pod.remove(readWrite);
        }
    }

    private static ContainerConfig.Builder device(String name, String permissions) {
        return pod.container(name).addDevices(Device.newBuilder().setHostPath("/dev/loop0")
                .setContainerPath("/dev/myloop").setPermissions(permissions));
    }

    /** The container's cgroup v1 devices.list on the host (cgroupfs driver: {@code <parent>/berth-<id>}). */
    private static String devicesList(String id) throws Exception {
        String parent = berth.cgroupParent().startsWith("/") ? berth.cgroupParent().substring(1)
                : berth.cgroupParent();
        return Files.readString(Path.of("/sys/fs/cgroup/devices", parent, "berth-" + id, "devices.list"));
    }

    private static LinuxContainerConfig.Builder privileged() {
        return LinuxContainerConfig.newBuilder().setSecurityContext(LinuxContainerSecurityContext.newBuilder()
                .setPrivileged(true));
    }

    /** A tmpfs under the test's directory, made shared by the test itself (never one of the node's mounts). */
    private static Path sharedTmpfs(String name) throws Exception {
        Path dir = Files.createDirectories(berth.home().resolve(name));
        Command.of("mount", "-t", "tmpfs", name, dir.toString()).check();
        Command.of("mount", "--make-shared", dir.toString()).check();
        return dir;
    }

    private static void unmount(Path dir) throws Exception {
        Command.of("umount", "-R", dir.toString()).check();
        Files.delete(dir);
    }
}
