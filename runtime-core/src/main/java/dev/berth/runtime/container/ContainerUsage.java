package dev.berth.runtime.container;

import dev.berth.runtime.host.cgroup.CgroupStats;
import dev.berth.runtime.spi.WritableLayerUsage;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One stats sample of a container (ContainerStats).
 *
 * @param timestamp nanoseconds since the epoch
 * @param cgroup CPU, memory, swap, pressure and IO from the container's cgroup; empty when it has none (any more)
 * @param cpuNanoCores average CPU use since the previous sample of this container; empty for the first one
 * @param writableLayer bytes and inodes of its writable layer, as last measured
 */
public record ContainerUsage(ContainerRecord container, long timestamp, Optional<CgroupStats> cgroup,
                             OptionalLong cpuNanoCores, WritableLayerUsage writableLayer) {
}
