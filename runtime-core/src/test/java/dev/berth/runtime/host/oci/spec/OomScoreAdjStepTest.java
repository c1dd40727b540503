package dev.berth.runtime.host.oci.spec;

import static dev.berth.runtime.host.oci.spec.SpecFixture.config;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerResources;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OomScoreAdjStepTest {

    @TempDir
    Path tmp;
    SpecFixture fixture;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new SpecFixture(tmp);
    }

    static ContainerConfig.Builder withOomScoreAdj(long adj) {
        return config().setLinux(LinuxContainerConfig.newBuilder().setResources(
                LinuxContainerResources.newBuilder().setOomScoreAdj(adj)));
    }

    @Test
    void requestIsClampedUpToTheDaemons() {
        assertEquals(0, fixture.apply(withOomScoreAdj(-997), new OomScoreAdjStep(0)).process().oomScoreAdj());
        assertEquals(-500, fixture.apply(withOomScoreAdj(-997), new OomScoreAdjStep(-500)).process()
                .oomScoreAdj());
        assertEquals(1000, fixture.apply(withOomScoreAdj(1000), new OomScoreAdjStep(-500)).process()
                .oomScoreAdj());
    }
}
