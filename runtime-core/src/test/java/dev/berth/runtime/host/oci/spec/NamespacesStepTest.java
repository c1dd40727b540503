package dev.berth.runtime.host.oci.spec;

import static dev.berth.runtime.host.oci.spec.SpecFixture.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.common.fs.MountTable;
import dev.berth.runtime.host.cgroup.CgroupLayout;
import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.OciSpec;
import dev.berth.runtime.host.ns.PinnedNamespaces;
import dev.berth.runtime.host.ns.UserNamespaceMapping;
import dev.berth.runtime.host.oci.PidMode;
import dev.berth.runtime.host.oci.SandboxContext;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NamespacesStepTest {

    @TempDir
    Path tmp;
    SpecFixture fixture;
    NamespacesStep step = new NamespacesStep(SpecFixture.hybridLayout());

    @BeforeEach
    void setUp() throws IOException {
        fixture = new SpecFixture(tmp);
    }

    List<OciSpec.Namespace> namespaces(ContainerSpecRequest request) {
        return SpecFixture.apply(request, step).linux().namespaces();
    }

    @Test
    void joinsPinnedNamespacesAndGetsOwnPidAndMount() {
        assertEquals(List.of(new OciSpec.Namespace("pid", null),
                new OciSpec.Namespace("network", "/run/berth/ns/net/sb1"),
                new OciSpec.Namespace("ipc", "/run/berth/ns/ipc/sb1"),
                new OciSpec.Namespace("uts", "/run/berth/ns/uts/sb1"),
                new OciSpec.Namespace("mount", null)), namespaces(fixture.request(config())));
    }

    @Test
    void aPodsOwnUserNamespaceIsJoinedFirstWithItsMappings() {
        SandboxContext s = SpecFixture.sandbox();
        PinnedNamespaces p = s.namespaces();
        SandboxContext userns = new SandboxContext(s.sandboxId(), s.config(), new PinnedNamespaces("sb1", p.net(),
                p.ipc(), p.uts(), Path.of("/run/berth/ns/user/sb1"),
                new UserNamespaceMapping(1_000_000, 65536, 2_000_000, 1000)), s.cgroupParent(), s.files(), s.shm());
        OciSpec.Linux linux = SpecFixture.apply(fixture.request(config(), userns, PidMode.CONTAINER, null), step)
                .linux();
        assertEquals(new OciSpec.Namespace("user", "/run/berth/ns/user/sb1"), linux.namespaces().get(0));
        assertEquals(List.of(new OciSpec.IdMapping(0, 1_000_000, 65536)), linux.uidMappings());
        assertEquals(List.of(new OciSpec.IdMapping(0, 2_000_000, 1000)), linux.gidMappings());
    }

    @Test
    void pidModes() {
        ContainerSpecRequest pod = fixture.request(config(), SpecFixture.sandbox(), PidMode.POD,
                Path.of("/proc/42/ns/pid"));
        assertEquals(new OciSpec.Namespace("pid", "/proc/42/ns/pid"), namespaces(pod).get(0));
        ContainerSpecRequest node = fixture.request(config(), SpecFixture.sandbox(), PidMode.NODE, null);
        assertTrue(namespaces(node).stream().noneMatch(n -> n.type().equals("pid")));
        ContainerSpecRequest target = fixture.request(config(), SpecFixture.sandbox(), PidMode.TARGET, null);
        assertThrows(BerthException.class, () -> namespaces(target));
    }

    @Test
    void hostNamespacesAreLeftOut() {
        assertEquals(List.of(new OciSpec.Namespace("mount", null)), namespaces(fixture.request(config(),
                SpecFixture.hostSandbox(), PidMode.NODE, null)));
    }

    @Test
    void ownCgroupNamespaceOnCgroupV2() {
        step = new NamespacesStep(CgroupLayout.from(MountTable.parse(
                "30 1 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw")));
        List<OciSpec.Namespace> namespaces = namespaces(fixture.request(config()));
        assertEquals(OciSpec.Namespace.fresh("cgroup"), namespaces.get(namespaces.size() - 1));
    }
}
