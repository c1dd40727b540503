package dev.berth.runtime.host.oci.spec;

import static dev.berth.runtime.host.oci.spec.SpecFixture.config;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxAnnotationsStepTest {

    @TempDir
    Path tmp;
    SpecFixture fixture;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new SpecFixture(tmp);
    }

    @Test
    void podKeysAndContainerType() {
        Map<String, String> annotations = fixture.apply(config(),
                new SandboxAnnotationsStep(SandboxAnnotationsStep.TYPE_CONTAINER)).annotations();
        assertEquals(Map.of("io.kubernetes.cri.container-type", "container",
                "io.kubernetes.cri.sandbox-id", "sb1",
                "io.kubernetes.cri.sandbox-name", "p",
                "io.kubernetes.cri.sandbox-namespace", "ns",
                "io.kubernetes.cri.sandbox-uid", "u-1"), annotations);
        assertEquals("sandbox", fixture.apply(config(), new SandboxAnnotationsStep(
                SandboxAnnotationsStep.TYPE_SANDBOX)).annotations().get("io.kubernetes.cri.container-type"));
    }
}
