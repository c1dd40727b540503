package dev.berth.runtime.host.oci.spec;

import dev.berth.runtime.host.cgroup.CgroupDriver;
import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.OciSpec;

/** The container's cgroup, under its pod's cgroup parent, named as the cgroup driver wants it. */
public final class CgroupPathStep implements SpecStep {

    private final CgroupDriver driver;

    public CgroupPathStep(CgroupDriver driver) {
        this.driver = driver;
    }

    @Override
    public void apply(ContainerSpecRequest request, OciSpec.Builder spec) {
        spec.linux().cgroupsPath(driver.containerPath(request.sandbox().cgroupParent(), request.containerId()));
    }
}
