package dev.berth.runtime.container;

import dev.berth.runtime.host.cgroup.CgroupStats;
import dev.berth.runtime.spi.WritableLayerUsage;
import java.util.Optional;

/**
 * One stats sample of a container (ContainerStats).
 *
 * @param timestamp nanoseconds since the epoch
 * @param cgroup CPU and memory from the container's cgroup; empty when it has none (any more)
 * @param writableLayer bytes and inodes of its writable layer
 */
public record ContainerUsage(ContainerRecord container, long timestamp, Optional<CgroupStats> cgroup,
                             WritableLayerUsage writableLayer) {
}
