package dev.berth.runtime.host.oci.spec;

import static dev.berth.runtime.host.oci.spec.SpecFixture.config;
import static dev.berth.runtime.host.oci.spec.SpecFixture.withSecurity;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.runtime.host.oci.OciSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaskedPathsStepTest {

    @TempDir
    Path tmp;
    SpecFixture fixture;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new SpecFixture(tmp);
    }

    @Test
    void maskedAndReadonlyPathsExactlyAsSentAndEmptyMeansNone() {
        OciSpec spec = fixture.apply(config(), new MaskedPathsStep());
        assertEquals(List.of(), spec.linux().maskedPaths());
        assertEquals(List.of(), spec.linux().readonlyPaths());
        OciSpec custom = fixture.apply(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .addMaskedPaths("/proc/x").addReadonlyPaths("/proc/y")), new MaskedPathsStep());
        assertEquals(List.of("/proc/x"), custom.linux().maskedPaths());
        assertEquals(List.of("/proc/y"), custom.linux().readonlyPaths());
    }

    @Test
    void privilegedHasNone() {
        OciSpec privileged = fixture.apply(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setPrivileged(true).addMaskedPaths("/proc/x")), new MaskedPathsStep());
        assertEquals(List.of(), privileged.linux().maskedPaths());
        assertEquals(List.of(), privileged.linux().readonlyPaths());
    }
}
