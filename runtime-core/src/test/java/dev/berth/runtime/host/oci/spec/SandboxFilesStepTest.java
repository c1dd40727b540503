package dev.berth.runtime.host.oci.spec;

import static dev.berth.runtime.host.oci.spec.SpecFixture.config;
import static dev.berth.runtime.host.oci.spec.SpecFixture.withSecurity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.Mount;
import dev.berth.runtime.host.oci.OciSpec;
import dev.berth.runtime.host.oci.PidMode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxFilesStepTest {

    @TempDir
    Path tmp;
    SpecFixture fixture;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new SpecFixture(tmp);
    }

    @Test
    void podFilesAndShmFromTheSandbox() {
        List<OciSpec.Mount> mounts = fixture.apply(config(), new SandboxFilesStep()).mounts();
        assertEquals(List.of("/etc/hostname", "/etc/hosts", "/etc/resolv.conf", "/dev/shm"),
                mounts.stream().map(OciSpec.Mount::destination).toList());
        assertEquals("/var/lib/berth/sandboxes/sb1/hosts", mounts.get(1).source());
        assertEquals(List.of("rbind", "rprivate", "rw"), mounts.get(1).options());
        assertEquals("/run/berth/shm/sb1", mounts.get(3).source());
    }

    @Test
    void readonlyRootfsMakesThePodFilesReadOnly() {
        OciSpec spec = fixture.apply(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setReadonlyRootfs(true)), new SandboxFilesStep());
        assertTrue(spec.mounts().stream().filter(m -> m.destination().equals("/etc/hosts")).findFirst()
                .orElseThrow().options().contains("ro"));
    }

    @Test
    void hostIpcNamespaceUsesTheHostsShm() {
        OciSpec spec = SpecFixture.apply(fixture.request(config(), SpecFixture.hostSandbox(), PidMode.NODE, null),
                new SandboxFilesStep());
        assertEquals("/dev/shm", spec.mounts().stream().filter(m -> m.destination().equals("/dev/shm"))
                .findFirst().orElseThrow().source());
    }

    @Test
    void aRequestedFileReplacesThePods() {
        List<OciSpec.Mount> mounts = fixture.apply(config().addMounts(Mount.newBuilder()
                .setContainerPath("/etc/hosts").setHostPath("/etc/hosts")), new SandboxFilesStep()).mounts();
        assertTrue(mounts.stream().noneMatch(m -> m.destination().equals("/etc/hosts")));
    }
}
