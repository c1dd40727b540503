package dev.berth.runtime.host.oci;

import dev.berth.common.error.BerthException;
import dev.berth.runtime.host.cgroup.CgroupDriver;
import dev.berth.runtime.host.cgroup.CgroupLayout;
import dev.berth.runtime.host.oci.spec.CapabilitiesStep;
import dev.berth.runtime.host.oci.spec.CgroupPathStep;
import dev.berth.runtime.host.oci.spec.CommandStep;
import dev.berth.runtime.host.oci.spec.ContainerAnnotationsStep;
import dev.berth.runtime.host.oci.spec.CriMountsStep;
import dev.berth.runtime.host.oci.spec.DefaultMountsStep;
import dev.berth.runtime.host.oci.spec.DevicesStep;
import dev.berth.runtime.host.oci.spec.EnvironmentStep;
import dev.berth.runtime.host.oci.spec.HostnameStep;
import dev.berth.runtime.host.oci.spec.MaskedPathsStep;
import dev.berth.runtime.host.oci.spec.NamespacesStep;
import dev.berth.runtime.host.oci.spec.NoNewPrivsStep;
import dev.berth.runtime.host.oci.spec.OomScoreAdjStep;
import dev.berth.runtime.host.oci.spec.ResourcesStep;
import dev.berth.runtime.host.oci.spec.RootStep;
import dev.berth.runtime.host.oci.spec.RootfsPropagationStep;
import dev.berth.runtime.host.oci.spec.SandboxAnnotationsStep;
import dev.berth.runtime.host.oci.spec.SandboxFilesStep;
import dev.berth.runtime.host.oci.spec.SeccompStep;
import dev.berth.runtime.host.oci.spec.SpecStep;
import dev.berth.runtime.host.oci.spec.UserStep;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a container's OCI spec from the CRI request, the image's defaults and its sandbox, as an ordered list of
 * {@link SpecStep}s, one per concern. Pure apart from reading the rootfs's account files and stat-ing host paths
 * named by mounts and devices.
 */
public final class ContainerSpecBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerSpecBuilder.class);

    private final List<SpecStep> containerSteps;

    /**
     * @param minOomScoreAdj the daemon's own oom_score_adj: without CAP_SYS_RESOURCE a child may not go below it,
     *                       so requests are clamped up to it
     * @param node           the daemon's capability bounding set: what "ALL" and privileged containers get
     * @param unsetSeccompIsRuntimeDefault whether a container whose request names no seccomp profile gets
     *                       RuntimeDefault; false runs it unconfined, as the CRI API defines an unset profile
     */
    public ContainerSpecBuilder(CgroupDriver driver, CgroupLayout layout, int minOomScoreAdj, BoundingSet node,
            boolean unsetSeccompIsRuntimeDefault) {
        OciJson json = new OciJson();
        // Requests are checked in this order. The CRI mounts step creates missing host directories, so a request
        // refused by a later step (devices, cgroup parent, PID namespace, seccomp profile) may leave them behind.
        this.containerSteps = List.of(
                new CapabilitiesStep(node),
                new UserStep(),
                new CommandStep(),
                new EnvironmentStep(),
                new NoNewPrivsStep(),
                new OomScoreAdjStep(minOomScoreAdj),
                new DefaultMountsStep(),
                new SandboxFilesStep(),
                new CriMountsStep(),
                new DevicesStep(),
                new ResourcesStep(layout),
                new CgroupPathStep(driver),
                new NamespacesStep(layout),
                new SeccompStep(json, unsetSeccompIsRuntimeDefault),
                new RootfsPropagationStep(),
                new MaskedPathsStep(),
                new RootStep(),
                new HostnameStep(),
                new ContainerAnnotationsStep(),
                new SandboxAnnotationsStep(SandboxAnnotationsStep.TYPE_CONTAINER));
    }

    /**
     * A builder for this host: detected cgroup layout, this process's oom_score_adj and bounding set; containers
     * that name no seccomp profile run unconfined.
     */
    public static ContainerSpecBuilder forHost(CgroupDriver driver) {
        return forHost(driver, false);
    }

    /** As {@link #forHost(CgroupDriver)}, choosing what an unset seccomp profile means. */
    public static ContainerSpecBuilder forHost(CgroupDriver driver, boolean unsetSeccompIsRuntimeDefault) {
        int adj = 0;
        try {
            adj = Integer.parseInt(Files.readString(Path.of("/proc/self/oom_score_adj")).strip());
        } catch (IOException | NumberFormatException e) {
            LOG.warn("event=oom_score_adj_unreadable error=\"{}\"", e.getMessage());
        }
        return new ContainerSpecBuilder(driver, CgroupLayout.detect(), adj, BoundingSet.ofThisProcess(),
                unsetSeccompIsRuntimeDefault);
    }

    public OciSpec build(ContainerSpecRequest request) {
        return apply(containerSteps, request);
    }

    /** The process of an exec in a container: the container's identity and environment, a new command. */
    public static OciSpec.Process execProcess(OciSpec containerSpec, List<String> command, boolean tty) {
        if (command.isEmpty()) {
            throw BerthException.invalidArgument("exec command is empty");
        }
        return containerSpec.process().withArgs(List.copyOf(command), tty);
    }

    private static OciSpec apply(List<SpecStep> steps, ContainerSpecRequest request) {
        OciSpec.Builder spec = OciSpec.builder();
        for (SpecStep step : steps) {
            step.apply(request, spec);
        }
        return spec.build();
    }
}
