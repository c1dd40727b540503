package dev.berth.runtime.host.oci.spec;

import static dev.berth.runtime.host.oci.spec.SpecFixture.config;
import static dev.berth.runtime.host.oci.spec.SpecFixture.withSecurity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NoNewPrivsStepTest {

    @TempDir
    Path tmp;
    SpecFixture fixture;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new SpecFixture(tmp);
    }

    @Test
    void setWhenAskedForAndLeftOutOtherwise() {
        assertEquals(Boolean.TRUE, fixture.apply(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setNoNewPrivs(true)), new NoNewPrivsStep()).process().noNewPrivileges());
        assertNull(fixture.apply(config(), new NoNewPrivsStep()).process().noNewPrivileges());
    }
}
