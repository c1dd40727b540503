package dev.berth.runtime.container;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.LinuxContainerResources;
import dev.berth.runtime.host.oci.OciSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UpdateContainerResources: applies new CPU and memory limits with {@code runc update} and records them, so
 * ContainerStatus shows what is in force. Unset (zero) fields keep their current values.
 */
public final class ResourceUpdater {

    private static final Logger LOG = LoggerFactory.getLogger(ResourceUpdater.class);

    private final ContainerRegistry registry;
    private final ContainerHost host;

    public ResourceUpdater(ContainerRegistry registry, ContainerHost host) {
        this.registry = registry;
        this.host = host;
    }

    public void update(String idOrPrefix, LinuxContainerResources requested) {
        host.resourceLimits().validate(requested, "linux");
        String id = registry.get(idOrPrefix).id();
        registry.locks().with(id, () -> {
            ContainerRecord record = registry.byFullId(id).orElseThrow(() ->
                    BerthException.notFound("container " + id + " not found"));
            if (record.state() != ContainerState.CREATED && record.state() != ContainerState.RUNNING) {
                throw BerthException.failedPrecondition("container " + id + " is " + record.state()
                        + ": only a created or running container's resources can be updated");
            }
            ResourceLimits merged = merge(record.resources(), ContainerConfigs.resources(requested));
            host.handler(record).runtime().update(id, toOci(merged));
            registry.save(record.withResources(merged));
            LOG.info("event=container_resources_updated container={} cpu_quota={} cpu_period={} cpu_shares={} "
                    + "memory_limit={}", id, merged.cpuQuota(), merged.cpuPeriod(), merged.cpuShares(),
                    merged.memoryLimitInBytes());
        });
    }

    static ResourceLimits merge(ResourceLimits current, ResourceLimits update) {
        Map<String, Long> hugepages = new LinkedHashMap<>(current.hugepageLimits());
        hugepages.putAll(update.hugepageLimits());
        Map<String, String> unified = new LinkedHashMap<>(current.unified());
        unified.putAll(update.unified());
        return new ResourceLimits(
                pick(update.cpuPeriod(), current.cpuPeriod()),
                pick(update.cpuQuota(), current.cpuQuota()),
                pick(update.cpuShares(), current.cpuShares()),
                pick(update.memoryLimitInBytes(), current.memoryLimitInBytes()),
                pick(update.oomScoreAdj(), current.oomScoreAdj()),
                update.cpusetCpus().isEmpty() ? current.cpusetCpus() : update.cpusetCpus(),
                update.cpusetMems().isEmpty() ? current.cpusetMems() : update.cpusetMems(),
                hugepages, unified,
                pick(update.memorySwapLimitInBytes(), current.memorySwapLimitInBytes()));
    }

    private static long pick(long update, long current) {
        return update != 0 ? update : current;
    }

    /** The runc update document: only CPU and memory (what the kubelet resizes in place). */
    static OciSpec.Resources toOci(ResourceLimits r) {
        OciSpec.Cpu cpu = new OciSpec.Cpu(positive(r.cpuShares()), r.cpuQuota() != 0 ? r.cpuQuota() : null,
                positive(r.cpuPeriod()), r.cpusetCpus().isEmpty() ? null : r.cpusetCpus(),
                r.cpusetMems().isEmpty() ? null : r.cpusetMems());
        OciSpec.Memory memory = r.memoryLimitInBytes() > 0 || r.memorySwapLimitInBytes() > 0
                ? new OciSpec.Memory(positive(r.memoryLimitInBytes()), null, positive(r.memorySwapLimitInBytes()),
                        null)
                : null;
        return new OciSpec.Resources(null, memory, cpu, null, null, null);
    }

    private static Long positive(long value) {
        return value > 0 ? value : null;
    }
}
