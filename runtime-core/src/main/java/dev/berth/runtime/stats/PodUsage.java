package dev.berth.runtime.stats;

import dev.berth.runtime.container.ContainerUsage;
import dev.berth.runtime.host.cgroup.CgroupStats;
import dev.berth.runtime.sandbox.SandboxRecord;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One stats sample of a pod (PodSandboxStats).
 *
 * @param timestamp nanoseconds since the epoch
 * @param cgroupPath the pod cgroup read, relative to a hierarchy's root; empty when the usage is its containers' sum
 * @param cgroup CPU, memory, processes of the pod cgroup (or its containers' sum); empty when nothing runs
 * @param cpuNanoCores average CPU use since the previous sample of this pod; empty for the first one
 * @param network interface counters of the pod's network namespace; empty for host-network pods
 * @param containers each of the pod's containers, sampled
 */
public record PodUsage(SandboxRecord sandbox, long timestamp, String cgroupPath, Optional<CgroupStats> cgroup,
                       OptionalLong cpuNanoCores, Optional<PodNetworkUsage> network,
                       List<ContainerUsage> containers) {

    public PodUsage {
        containers = List.copyOf(containers);
    }
}
