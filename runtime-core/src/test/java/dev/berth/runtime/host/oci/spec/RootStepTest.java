package dev.berth.runtime.host.oci.spec;

import static dev.berth.runtime.host.oci.spec.SpecFixture.config;
import static dev.berth.runtime.host.oci.spec.SpecFixture.withSecurity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootStepTest {

    @TempDir
    Path tmp;
    SpecFixture fixture;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new SpecFixture(tmp);
    }

    @Test
    void theMountedRootfsReadOnlyWhenAsked() {
        assertEquals(fixture.rootfs.toAbsolutePath().toString(), fixture.apply(config(), new RootStep()).root()
                .path());
        assertFalse(fixture.apply(config(), new RootStep()).root().readonly());
        assertTrue(fixture.apply(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setReadonlyRootfs(true)), new RootStep()).root().readonly());
    }
}
