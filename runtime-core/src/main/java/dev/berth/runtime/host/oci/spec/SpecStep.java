package dev.berth.runtime.host.oci.spec;

import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.OciSpec;

/**
 * One concern of a container's OCI spec (its user, its mounts, its seccomp filter…). A spec builder runs an ordered
 * list of steps over one {@link OciSpec.Builder}. A step may read what an earlier one wrote (the seccomp filter follows
 * the capabilities), and steps that reject a request do so in list order, so the order is part of the behaviour.
 */
@FunctionalInterface
public interface SpecStep {

    void apply(ContainerSpecRequest request, OciSpec.Builder spec);
}
