package dev.berth.runtime.sandbox;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.LinuxContainerResources;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.runtime.container.ResourceValidator;
import dev.berth.runtime.host.cgroup.CgroupDriver;
import dev.berth.runtime.host.cgroup.PodCgroupLimits;
import dev.berth.runtime.host.cgroup.PodCgroupWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UpdatePodSandboxResources: puts the pod-level CPU and memory (the containers' sum plus the pod overhead) on the
 * pod's own cgroup, its {@code cgroup_parent}, and records them with the new values in the pod's config. Fields left
 * unset (0) keep what is in force. A pod without a cgroup of its own (no {@code cgroup_parent}: its containers
 * share berth's default parent with every such pod) is refused rather than limiting the others with it.
 */
public final class PodResourceUpdater {

    private static final Logger LOG = LoggerFactory.getLogger(PodResourceUpdater.class);

    private final SandboxRegistry registry;
    private final PodCgroupWriter writer;
    private final CgroupDriver driver;
    private final ResourceValidator validator;

    public PodResourceUpdater(SandboxRegistry registry, PodCgroupWriter writer, CgroupDriver driver,
            ResourceValidator validator) {
        this.registry = registry;
        this.writer = writer;
        this.driver = driver;
        this.validator = validator;
    }

    public void update(String idOrPrefix, LinuxContainerResources overhead, LinuxContainerResources resources) {
        validator.validate(overhead, "overhead");
        validator.validate(resources, "resources");
        String id = registry.get(idOrPrefix).id();
        registry.locks().with(id, () -> {
            SandboxRecord record = registry.byFullId(id).orElseThrow(() ->
                    BerthException.notFound("pod sandbox " + id + " not found"));
            if (record.cgroupParent().isEmpty()) {
                throw BerthException.failedPrecondition("pod sandbox " + id + " has no cgroup of its own "
                        + "(no linux.cgroup_parent was given): its resources cannot be updated");
            }
            if (record.state() != SandboxState.READY) {
                throw BerthException.failedPrecondition("pod sandbox " + id + " is " + record.state()
                        + ": only a ready pod's resources can be updated");
            }
            PodCgroupLimits wanted = limits(overhead, resources);
            writer.apply(driver.parentRelative(record.cgroupParent()), wanted);
            PodCgroupLimits inForce = wanted.over(record.podResources() == null ? PodCgroupLimits.NONE
                    : record.podResources());
            registry.save(record.toBuilder().podResources(inForce).config(withResources(record.config(), overhead,
                    resources)).build());
            LOG.info("event=sandbox_resources_updated sandbox={} cpu_shares={} cpu_quota={} cpu_period={} "
                    + "memory_limit={}", id, inForce.cpuShares(), inForce.cpuQuota(), inForce.cpuPeriod(),
                    inForce.memoryLimitInBytes());
        });
    }

    /** The pod cgroup's limits: the containers' sum plus the overhead, for each value the sum sets. */
    static PodCgroupLimits limits(LinuxContainerResources overhead, LinuxContainerResources sum) {
        long shares = sum.getCpuShares() > 0 ? sum.getCpuShares() + Math.max(0, overhead.getCpuShares()) : 0;
        long quota = sum.getCpuQuota() > 0 ? sum.getCpuQuota() + Math.max(0, overhead.getCpuQuota())
                : sum.getCpuQuota() < 0 ? -1 : 0;
        long period = sum.getCpuPeriod() > 0 ? sum.getCpuPeriod() : Math.max(0, overhead.getCpuPeriod());
        long memory = sum.getMemoryLimitInBytes() > 0
                ? sum.getMemoryLimitInBytes() + Math.max(0, overhead.getMemoryLimitInBytes()) : 0;
        return new PodCgroupLimits(shares, quota, period, memory);
    }

    private static PodSandboxConfig withResources(PodSandboxConfig config, LinuxContainerResources overhead,
            LinuxContainerResources resources) {
        if (config == null) {
            return null;
        }
        LinuxPodSandboxConfig.Builder linux = config.getLinux().toBuilder().setOverhead(overhead)
                .setResources(resources);
        return config.toBuilder().setLinux(linux).build();
    }
}
