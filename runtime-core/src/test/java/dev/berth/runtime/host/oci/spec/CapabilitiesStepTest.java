package dev.berth.runtime.host.oci.spec;

import static dev.berth.runtime.host.oci.spec.SpecFixture.config;
import static dev.berth.runtime.host.oci.spec.SpecFixture.withSecurity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.Capability;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.Int64Value;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.runtime.host.oci.OciSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CapabilitiesStepTest {

    @TempDir
    Path tmp;
    SpecFixture fixture;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new SpecFixture(tmp);
    }

    OciSpec.Capabilities capabilities(ContainerConfig.Builder config) {
        return fixture.apply(config, new CapabilitiesStep(SpecFixture.NODE)).process().capabilities();
    }

    static ContainerConfig.Builder withCapabilities(Capability.Builder capabilities) {
        return withSecurity(config(), LinuxContainerSecurityContext.newBuilder().setCapabilities(capabilities));
    }

    @Test
    void defaultCapabilitiesAddAndDrop() {
        OciSpec.Capabilities caps = capabilities(withCapabilities(Capability.newBuilder()
                .addAddCapabilities("NET_ADMIN").addDropCapabilities("CAP_MKNOD")));
        assertTrue(caps.bounding().contains("CAP_NET_ADMIN"));
        assertTrue(caps.bounding().contains("CAP_CHOWN"));
        assertFalse(caps.bounding().contains("CAP_MKNOD"));
        assertEquals(caps.bounding(), caps.effective());
        assertEquals(caps.bounding(), caps.permitted());
        assertEquals(List.of(), caps.inheritable());
        assertEquals(List.of(), caps.ambient());
    }

    @Test
    void dropAllThenAdd() {
        OciSpec.Capabilities caps = capabilities(withCapabilities(Capability.newBuilder()
                .addDropCapabilities("ALL").addAddCapabilities("NET_BIND_SERVICE")));
        assertEquals(List.of("CAP_NET_BIND_SERVICE"), caps.bounding());
        OciSpec.Capabilities all = capabilities(withCapabilities(Capability.newBuilder()
                .addAddCapabilities("ALL").addDropCapabilities("SYS_ADMIN")));
        assertTrue(all.bounding().contains("CAP_SYS_PTRACE"));
        assertFalse(all.bounding().contains("CAP_SYS_ADMIN"));
        assertFalse(all.bounding().contains("CAP_SYS_RESOURCE"), "ALL is what the node has");
    }

    @Test
    void unknownCapabilityIsInvalid() {
        assertThrows(BerthException.class, () -> capabilities(withCapabilities(Capability.newBuilder()
                .addAddCapabilities("FLY"))));
    }

    @Test
    void privilegedGetsTheNodesCapabilitiesNothingInheritableAndNoAmbientSet() {
        OciSpec.Capabilities caps = capabilities(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setPrivileged(true).setCapabilities(Capability.newBuilder().addAddAmbientCapabilities("KILL"))));
        assertEquals(SpecFixture.NODE.capabilities(), caps.bounding());
        assertEquals(SpecFixture.NODE.capabilities(), caps.effective());
        assertEquals(SpecFixture.NODE.capabilities(), caps.permitted());
        assertEquals(List.of(), caps.inheritable());
        assertNull(caps.ambient());
    }

    @Test
    void ambientCapabilitiesArePermittedAndInheritableToo() {
        OciSpec.Capabilities caps = capabilities(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setRunAsUser(Int64Value.newBuilder().setValue(1000))
                .setCapabilities(Capability.newBuilder().addDropCapabilities("ALL")
                        .addAddAmbientCapabilities("net_bind_service"))));
        assertEquals(List.of("CAP_NET_BIND_SERVICE"), caps.ambient());
        assertEquals(List.of("CAP_NET_BIND_SERVICE"), caps.inheritable());
        assertEquals(List.of("CAP_NET_BIND_SERVICE"), caps.permitted());
        assertEquals(List.of("CAP_NET_BIND_SERVICE"), caps.bounding());
    }

    @Test
    void aCapabilityTheNodeLacksIsAFailedPrecondition() {
        BerthException e = assertThrows(BerthException.class, () -> capabilities(withCapabilities(
                Capability.newBuilder().addAddCapabilities("SYS_RESOURCE"))));
        assertEquals(BerthException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().contains("CAP_SYS_RESOURCE"), e.getMessage());
    }
}
