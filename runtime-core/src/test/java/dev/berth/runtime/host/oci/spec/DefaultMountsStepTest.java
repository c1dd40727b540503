package dev.berth.runtime.host.oci.spec;

import static dev.berth.runtime.host.oci.spec.SpecFixture.config;
import static dev.berth.runtime.host.oci.spec.SpecFixture.withSecurity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.Mount;
import dev.berth.runtime.host.oci.OciSpec;
import dev.berth.runtime.host.oci.PidMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultMountsStepTest {

    @TempDir
    Path tmp;
    SpecFixture fixture;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new SpecFixture(tmp);
    }

    static OciSpec.Mount at(List<OciSpec.Mount> mounts, String destination) {
        return mounts.stream().filter(m -> m.destination().equals(destination)).findFirst().orElseThrow();
    }

    @Test
    void kernelFilesystemsInOrderWithSysReadOnly() {
        List<OciSpec.Mount> mounts = fixture.apply(config(), new DefaultMountsStep()).mounts();
        assertEquals(List.of("/proc", "/dev", "/dev/pts", "/dev/mqueue", "/sys", "/sys/fs/cgroup"),
                mounts.stream().map(OciSpec.Mount::destination).toList());
        assertEquals("mqueue", at(mounts, "/dev/mqueue").type(), "the pod's own IPC namespace gets a new mqueue");
        assertTrue(at(mounts, "/sys").options().contains("ro"));
        assertTrue(at(mounts, "/sys/fs/cgroup").options().contains("ro"));
    }

    @Test
    void privilegedGetsWritableSysAndCgroups() {
        List<OciSpec.Mount> mounts = fixture.apply(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setPrivileged(true)), new DefaultMountsStep()).mounts();
        assertTrue(mounts.stream().anyMatch(m -> m.destination().equals("/sys") && m.options().contains("rw")));
        assertTrue(at(mounts, "/sys/fs/cgroup").options().contains("rw"));
    }

    @Test
    void hostIpcNamespaceBindsTheHostsMessageQueues() {
        List<OciSpec.Mount> mounts = SpecFixture.apply(fixture.request(config(), SpecFixture.hostSandbox(),
                PidMode.NODE, null), new DefaultMountsStep()).mounts();
        if (Files.isDirectory(Path.of("/dev/mqueue"))) {
            assertEquals(new OciSpec.Mount("/dev/mqueue", "bind", "/dev/mqueue",
                    List.of("rbind", "nosuid", "noexec", "nodev")), at(mounts, "/dev/mqueue"));
        } else {
            assertTrue(mounts.stream().noneMatch(m -> m.destination().equals("/dev/mqueue")));
        }
    }

    @Test
    void aRequestedDestinationReplacesTheDefault() {
        List<OciSpec.Mount> mounts = fixture.apply(config().addMounts(Mount.newBuilder()
                .setContainerPath("/sys/").setHostPath("/sys")), new DefaultMountsStep()).mounts();
        assertTrue(mounts.stream().noneMatch(m -> m.destination().equals("/sys")));
    }

    @Test
    void aMalformedRequestedDestinationIsRefusedFirst() {
        BerthException e = assertThrows(BerthException.class, () -> fixture.apply(config().addMounts(
                Mount.newBuilder().setContainerPath("/a/../..").setHostPath("/tmp")), new DefaultMountsStep()));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("container_path"), e.getMessage());
    }
}
