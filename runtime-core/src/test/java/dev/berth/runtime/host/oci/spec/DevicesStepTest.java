package dev.berth.runtime.host.oci.spec;

import static dev.berth.runtime.host.oci.spec.SpecFixture.config;
import static dev.berth.runtime.host.oci.spec.SpecFixture.withSecurity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.Device;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.runtime.host.oci.OciSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevicesStepTest {

    @TempDir
    Path tmp;
    SpecFixture fixture;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new SpecFixture(tmp);
    }

    @Test
    void devicesFromConfig() {
        OciSpec spec = fixture.apply(config().addDevices(Device.newBuilder().setHostPath("/dev/null")
                .setContainerPath("/dev/mynull").setPermissions("rw")), new DevicesStep());
        OciSpec.Device device = spec.linux().devices().get(0);
        assertEquals("c", device.type());
        assertEquals("/dev/mynull", device.path());
        assertEquals(1, device.major());
        assertEquals(3, device.minor());
        List<OciSpec.DeviceRule> rules = spec.linux().resources().devices();
        assertEquals(new OciSpec.DeviceRule(true, "c", 1L, 3L, "rw"), rules.get(rules.size() - 1));
        assertFalse(rules.get(0).allow(), "deny-all comes first");
    }

    @Test
    void noRequestedDevicesGivesTheStandardRulesOnly() {
        OciSpec spec = fixture.apply(config(), new DevicesStep());
        assertNull(spec.linux().devices());
        assertEquals(DevicesStep.DEFAULT_RULES, spec.linux().resources().devices());
    }

    @Test
    void aMissingDeviceIsInvalid() {
        assertThrows(BerthException.class, () -> fixture.apply(config().addDevices(Device.newBuilder()
                .setHostPath(tmp.resolve("nope").toString())), new DevicesStep()));
    }

    @Test
    void privilegedGetsEveryHostDeviceAndAnAllowAllRule() {
        OciSpec spec = fixture.apply(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setPrivileged(true)), new DevicesStep());
        assertEquals(List.of(OciSpec.DeviceRule.allowAll()), spec.linux().resources().devices());
        assertTrue(spec.linux().resources().devices().get(0).allow());
        assertTrue(spec.linux().devices().stream().anyMatch(d -> d.path().equals("/dev/null")));
    }
}
