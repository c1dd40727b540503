package dev.berth.runtime.container;

import dev.berth.common.time.EpochNanos;
import dev.berth.runtime.host.cgroup.CgroupStats;
import dev.berth.runtime.spi.WritableLayerUsage;
import dev.berth.runtime.stats.CpuRateTracker;
import dev.berth.runtime.stats.WritableLayerCache;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * ContainerStats / ListContainerStats: CPU, memory, swap, pressure and IO straight from cgroup files, the CPU rate
 * from the previous sample, the writable layer from kept accounting. Created-but-not-started containers are listed
 * too (their cgroup exists from create on).
 */
public final class ContainerStatsCollector {

    /** How old a writable layer's measurement may get before a stats call has it re-measured in the background. */
    static final Duration LAYER_USAGE_MAX_AGE = Duration.ofSeconds(10);

    private final ContainerRegistry registry;
    private final ContainerHost host;
    private final Clock clock;
    private final CpuRateTracker cpuRates = new CpuRateTracker();
    private final WritableLayerCache layers;

    public ContainerStatsCollector(ContainerRegistry registry, ContainerHost host, Clock clock) {
        this.registry = registry;
        this.host = host;
        this.clock = clock;
        this.layers = new WritableLayerCache(host.rootfs()::usage, LAYER_USAGE_MAX_AGE, System::nanoTime);
    }

    /** NOT_FOUND when there is no such container. */
    public ContainerUsage stats(String idOrPrefix) {
        return sample(registry.get(idOrPrefix));
    }

    public List<ContainerUsage> list(ContainerFilter filter) {
        layers.retainOnly(registry.all().stream().map(ContainerRecord::id).collect(Collectors.toSet()));
        return registry.visible(filter.idPrefix()).stream().filter(filter::matches)
                .sorted(Comparator.comparingLong(ContainerRecord::createdAt)).map(this::sample).toList();
    }

    /** The containers of one sandbox, each sampled (a pod's stats hold its containers'). */
    public List<ContainerUsage> ofSandbox(String sandboxId) {
        return registry.ofSandbox(sandboxId).stream().sorted(Comparator.comparingLong(ContainerRecord::createdAt))
                .map(this::sample).toList();
    }

    private ContainerUsage sample(ContainerRecord record) {
        Optional<CgroupStats> cgroup = record.cgroupsPath().isEmpty() || record.state() == ContainerState.EXITED
                ? Optional.empty() : host.stats().read(record.cgroupsPath());
        OptionalLong nanoCores = cgroup
                .map(c -> cpuRates.sample(record.id(), c.timestampNanos(), c.cpuUsageNanos()))
                .orElse(OptionalLong.empty());
        WritableLayerUsage layer = layers.usage(record.id())
                .orElseGet(() -> WritableLayerUsage.none(host.layout().rootDir()));
        return new ContainerUsage(record, EpochNanos.now(clock), cgroup, nanoCores, layer);
    }
}
