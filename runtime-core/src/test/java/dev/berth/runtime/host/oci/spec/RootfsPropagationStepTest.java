package dev.berth.runtime.host.oci.spec;

import static dev.berth.runtime.host.oci.spec.SpecFixture.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.Mount;
import dev.berth.proto.runtime.v1.MountPropagation;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootfsPropagationStepTest {

    @TempDir
    Path tmp;
    SpecFixture fixture;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new SpecFixture(tmp);
    }

    String propagation(ContainerConfig.Builder config) {
        return fixture.apply(config, new RootfsPropagationStep()).linux().rootfsPropagation();
    }

    static Mount.Builder mount(String path, MountPropagation propagation) {
        return Mount.newBuilder().setContainerPath(path).setHostPath("/tmp").setPropagation(propagation);
    }

    @Test
    void strongestRequestedPropagationWins() {
        assertNull(propagation(config().addMounts(mount("/a", MountPropagation.PROPAGATION_PRIVATE))));
        assertEquals("rslave", propagation(config()
                .addMounts(mount("/a", MountPropagation.PROPAGATION_HOST_TO_CONTAINER))));
        assertEquals("rshared", propagation(config()
                .addMounts(mount("/a", MountPropagation.PROPAGATION_BIDIRECTIONAL))
                .addMounts(mount("/b", MountPropagation.PROPAGATION_HOST_TO_CONTAINER))));
    }
}
