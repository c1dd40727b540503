package dev.berth.runtime.container;

import dev.berth.common.error.BerthException;
import dev.berth.runtime.host.cgroup.CgroupStats;
import dev.berth.runtime.spi.WritableLayerUsage;
import dev.berth.runtime.store.EpochNanos;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ContainerStats / ListContainerStats: CPU and memory straight from cgroup files, the writable layer from the
 * rootfs provider. Created-but-not-started containers are listed too (their cgroup exists from create on).
 */
public final class ContainerStatsCollector {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerStatsCollector.class);

    private final ContainerRegistry registry;
    private final ContainerHost host;
    private final Clock clock;

    public ContainerStatsCollector(ContainerRegistry registry, ContainerHost host, Clock clock) {
        this.registry = registry;
        this.host = host;
        this.clock = clock;
    }

    /** NOT_FOUND when there is no such container. */
    public ContainerUsage stats(String idOrPrefix) {
        return sample(registry.get(idOrPrefix));
    }

    public List<ContainerUsage> list(ContainerFilter filter) {
        return registry.visible(filter.idPrefix()).stream().filter(filter::matches)
                .sorted(Comparator.comparingLong(ContainerRecord::createdAt)).map(this::sample).toList();
    }

    private ContainerUsage sample(ContainerRecord record) {
        Optional<CgroupStats> cgroup = record.cgroupsPath().isEmpty() || record.state() == ContainerState.EXITED
                ? Optional.empty() : host.stats().read(record.cgroupsPath());
        WritableLayerUsage layer;
        try {
            layer = host.rootfs().usage(record.id());
        } catch (BerthException | UncheckedIOException e) {
            LOG.debug("event=writable_layer_usage_failed container={} error=\"{}\"", record.id(), e.getMessage());
            layer = WritableLayerUsage.none(host.layout().rootDir());
        }
        return new ContainerUsage(record, EpochNanos.now(clock), cgroup, layer);
    }
}
