package dev.berth.runtime.host.oci.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.OciSpec;
import dev.berth.runtime.host.oci.PidMode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PidHolderStepsTest {

    final ContainerSpecRequest request = PidHolderRequest.of("h1", SpecFixture.sandbox(), Path.of("/b/rootfs"),
            Path.of("/usr/bin/catatonit"));

    @Test
    void processIsCatatonitAsRootWithTheGivenOomScore() {
        OciSpec.Process process = SpecFixture.apply(request, new PidHolderProcessStep(-500)).process();
        assertEquals(List.of("/catatonit", "-P"), process.args());
        assertEquals(OciSpec.User.of(0, 0, List.of(0L)), process.user());
        assertEquals(List.of("PATH=" + EnvironmentStep.DEFAULT_PATH), process.env());
        assertEquals("/", process.cwd());
        assertEquals(Boolean.FALSE, process.terminal());
        assertEquals(-500, process.oomScoreAdj());
    }

    @Test
    void mountsProcDevAndTheBinaryReadOnly() {
        List<OciSpec.Mount> mounts = SpecFixture.apply(request, new PidHolderMountsStep()).mounts();
        assertEquals(List.of(DefaultMountsStep.PROC, DefaultMountsStep.DEV,
                new OciSpec.Mount("/catatonit", "bind", "/usr/bin/catatonit", List.of("rbind", "ro"))), mounts);
    }

    @Test
    void requestIsLockedDown() {
        assertEquals(PidMode.CONTAINER, request.pidMode());
        assertEquals("h1", request.containerId());
        assertEquals(true, request.security().getReadonlyRootfs());
        assertEquals(true, request.security().getNoNewPrivs());
        assertEquals(List.of("ALL"), request.security().getCapabilities().getDropCapabilitiesList());
        assertEquals(2, request.config().getLinux().getResources().getCpuShares());
    }
}
