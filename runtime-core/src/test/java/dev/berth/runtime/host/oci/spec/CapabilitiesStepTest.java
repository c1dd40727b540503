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
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.runtime.host.oci.LinuxCapabilities;
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
        return fixture.apply(config, new CapabilitiesStep()).process().capabilities();
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
    }

    @Test
    void unknownCapabilityIsInvalid() {
        assertThrows(BerthException.class, () -> capabilities(withCapabilities(Capability.newBuilder()
                .addAddCapabilities("FLY"))));
    }

    @Test
    void privilegedGetsEveryCapabilityAndNoAmbientSet() {
        OciSpec.Capabilities caps = capabilities(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setPrivileged(true)));
        assertEquals(LinuxCapabilities.ALL, caps.bounding());
        assertNull(caps.ambient());
    }
}
