package dev.berth.runtime.host.oci.spec;

import static dev.berth.runtime.host.oci.spec.SpecFixture.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.berth.runtime.host.oci.PidMode;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostnameStepTest {

    @TempDir
    Path tmp;
    SpecFixture fixture;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new SpecFixture(tmp);
    }

    @Test
    void podHostnameOnlyInThePodsOwnUtsNamespace() {
        assertEquals("pod-host", fixture.apply(config(), new HostnameStep()).hostname());
        assertNull(SpecFixture.apply(fixture.request(config(), SpecFixture.hostSandbox(), PidMode.NODE, null),
                new HostnameStep()).hostname());
    }
}
