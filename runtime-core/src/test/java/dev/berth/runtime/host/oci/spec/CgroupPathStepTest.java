package dev.berth.runtime.host.oci.spec;

import static dev.berth.runtime.host.oci.spec.SpecFixture.config;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.runtime.host.cgroup.CgroupDriver;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupPathStepTest {

    @TempDir
    Path tmp;
    SpecFixture fixture;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new SpecFixture(tmp);
    }

    @Test
    void cgroupsPathUnderSandboxParent() {
        assertEquals("/kubepods/pod1/berth-c1", fixture.apply(config(), new CgroupPathStep(CgroupDriver.CGROUPFS))
                .linux().cgroupsPath());
        assertEquals("kubepods-pod1.slice:berth:c1", CgroupDriver.SYSTEMD.containerPath("kubepods-pod1.slice", "c1"));
        assertEquals("/berth/berth-c1", CgroupDriver.CGROUPFS.containerPath("", "c1"));
    }
}
