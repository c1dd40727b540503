package dev.berth.cri.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.proto.runtime.v1.ExecSyncResponse;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * masked_paths, readonly_paths (exactly as sent: empty means none), readonly_rootfs and no_new_privs as the container
 * sees them. A masked file is /dev/null bound over it (a character device that reads empty); a read-only path
 * refuses writes.
 */
@Tag("host")
class ContainerPathsTest {

    static final TestRegistry registry = TestRegistry.start();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n");

    static TestPod pod;

    @BeforeAll
    static void pullAndRunPod() {
        PushedImage busybox = berth.pullBusybox(registry, "paths/busybox");
        pod = TestPod.run(berth, busybox.imageId(), "paths", false);
    }

    @AfterAll
    static void removePodAndCheckLeftovers() {
        pod.close();
        registry.close();
        berth.stopDaemon();
        berth.assertNothingLeft();
    }

    @Test
    void theSentMaskedAndReadonlyPathsAreExactlyTheOnesApplied() throws Exception {
        String id = pod.run(pod.container("exact-paths").setLinux(linux(LinuxContainerSecurityContext.newBuilder()
                .addMaskedPaths("/proc/uptime").addReadonlyPaths("/etc"))));
        try {
            pod.exec(id, "test", "-c", "/proc/uptime");
            assertEquals("", pod.exec(id, "cat", "/proc/uptime"));
            // Not in the sent list, though in every default list: berth added nothing of its own. (/proc/keys and
            // /proc/timer_list exist on this kernel; /proc/kcore does not.)
            assertNotEquals(0, pod.execSync(id, "test", "-c", "/proc/keys").getExitCode(), "/proc/keys was masked");
            assertNotEquals(0, pod.execSync(id, "test", "-c", "/proc/timer_list").getExitCode(),
                    "/proc/timer_list was masked");
            assertRefused(pod.execSync(id, "touch", "/etc/berth-written"));
            pod.exec(id, "touch", "/tmp/berth-written");
        } finally {
            pod.remove(id);
        }
    }

    @Test
    void emptyListsMaskNothingAsContainerdDoes() throws Exception {
        // What the kubelet sends for procMount Unmasked; containerd 1.6.20 then masks nothing either.
        String id = pod.run(pod.container("unmasked"));
        try {
            assertNotEquals(0, pod.execSync(id, "test", "-c", "/proc/keys").getExitCode(), "/proc/keys was masked");
            assertNotEquals(0, pod.execSync(id, "test", "-c", "/proc/timer_list").getExitCode(),
                    "/proc/timer_list was masked");
            assertFalse(pod.exec(id, "cat", "/proc/self/mountinfo").contains(" /proc/sys "),
                    "/proc/sys was made read-only");
        } finally {
            pod.remove(id);
        }
    }

    @Test
    void aReadonlyRootfsRefusesWritesWithErofs() throws Exception {
        String id = pod.run(pod.container("ro-rootfs").setLinux(linux(LinuxContainerSecurityContext.newBuilder()
                .setReadonlyRootfs(true))));
        String writable = pod.run(pod.container("rw-rootfs"));
        try {
            ExecSyncResponse write = pod.execSync(id, "touch", "/berth-written");
            assertNotEquals(0, write.getExitCode());
            assertTrue(write.getStderr().toStringUtf8().contains("Read-only file system"),
                    write.getStderr().toStringUtf8());
            pod.exec(writable, "touch", "/berth-written");
        } finally {
            pod.remove(id);
            pod.remove(writable);
        }
    }

    @Test
    void noNewPrivsIsSetOnlyWhenAsked() throws Exception {
        String id = pod.run(pod.container("nnp").setLinux(linux(LinuxContainerSecurityContext.newBuilder()
                .setNoNewPrivs(true))));
        String plain = pod.run(pod.container("no-nnp"));
        try {
            assertTrue(pod.exec(id, "cat", "/proc/self/status").contains("\nNoNewPrivs:\t1\n"));
            assertTrue(pod.exec(plain, "cat", "/proc/self/status").contains("\nNoNewPrivs:\t0\n"));
        } finally {
            pod.remove(id);
            pod.remove(plain);
        }
    }

    private static void assertRefused(ExecSyncResponse response) {
        assertNotEquals(0, response.getExitCode(), "the write succeeded");
        assertTrue(response.getStderr().toStringUtf8().contains("Read-only file system"),
                response.getStderr().toStringUtf8());
    }

    private static LinuxContainerConfig.Builder linux(LinuxContainerSecurityContext.Builder security) {
        return LinuxContainerConfig.newBuilder().setSecurityContext(security);
    }
}
