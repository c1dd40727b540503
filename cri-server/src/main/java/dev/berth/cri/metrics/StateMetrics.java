package dev.berth.cri.metrics;

import dev.berth.runtime.container.ContainerEvents;
import dev.berth.runtime.container.ContainerRecord;
import dev.berth.runtime.container.ContainerState;
import dev.berth.runtime.sandbox.SandboxRecord;
import dev.berth.runtime.sandbox.SandboxState;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Meters computed when scraped, from what the daemon holds in memory: pods and containers by state, live monitors,
 * zombie children, event subscribers and dropped events. A scrape counts each registry once (not once per state)
 * and looks at no container's processes. The gauges hold their sources strongly (the library's default is a weak
 * reference, which would let them read NaN once nothing else holds this object).
 */
public final class StateMetrics {

    private final Supplier<Collection<SandboxRecord>> sandboxes;
    private final Supplier<Collection<ContainerRecord>> containers;
    private final ScrapeCache<Map<SandboxState, Integer>> podCounts;
    private final ScrapeCache<Map<ContainerState, Integer>> containerCounts;

    private StateMetrics(Supplier<Collection<SandboxRecord>> sandboxes,
                         Supplier<Collection<ContainerRecord>> containers) {
        this.sandboxes = sandboxes;
        this.containers = containers;
        this.podCounts = new ScrapeCache<>(this::countPods);
        this.containerCounts = new ScrapeCache<>(this::countContainers);
    }

    /**
     * @param sandboxes     every sandbox in any state (also those being created)
     * @param containers    every container in any state
     * @param monitorsAlive containers whose monitor process is alive
     */
    public static StateMetrics bind(MeterRegistry registry, Supplier<Collection<SandboxRecord>> sandboxes,
                                    Supplier<Collection<ContainerRecord>> containers, IntSupplier monitorsAlive,
                                    ContainerEvents events) {
        StateMetrics state = new StateMetrics(sandboxes, containers);
        for (SandboxState s : SandboxState.values()) {
            Gauge.builder("berth.pods", state, m -> m.podCounts.get().getOrDefault(s, 0))
                    .description("Pod sandboxes by state (creating: being set up)")
                    .tag("state", s.name().toLowerCase(Locale.ROOT)).strongReference(true).register(registry);
        }
        for (ContainerState s : ContainerState.values()) {
            Gauge.builder("berth.containers", state, m -> m.containerCounts.get().getOrDefault(s, 0))
                    .description("Containers by state (creating: being set up)")
                    .tag("state", s.name().toLowerCase(Locale.ROOT)).strongReference(true).register(registry);
        }
        Gauge.builder("berth.monitor.processes", monitorsAlive, IntSupplier::getAsInt)
                .description("Container monitor (conmon) processes alive").strongReference(true).register(registry);
        ZombieProcesses zombies = new ZombieProcesses();
        Gauge.builder("berth.zombie.processes", zombies, ZombieProcesses::count)
                .description("Children of berth that exited and were not reaped (-1: unknown)")
                .strongReference(true).register(registry);
        Gauge.builder("berth.container.event.subscribers", events, ContainerEvents::subscribers)
                .description("GetContainerEvents streams open").strongReference(true).register(registry);
        FunctionCounter.builder("berth.container.events.dropped", events, ContainerEvents::dropped)
                .description("Container events not delivered because their subscriber fell behind")
                .register(registry);
        FunctionCounter.builder("berth.container.event.streams.overflowed", events, ContainerEvents::overflows)
                .description("GetContainerEvents streams closed because their subscriber fell behind")
                .register(registry);
        return state;
    }

    private Map<SandboxState, Integer> countPods() {
        Map<SandboxState, Integer> counts = new EnumMap<>(SandboxState.class);
        for (SandboxRecord record : sandboxes.get()) {
            counts.merge(record.state(), 1, Integer::sum);
        }
        return counts;
    }

    private Map<ContainerState, Integer> countContainers() {
        Map<ContainerState, Integer> counts = new EnumMap<>(ContainerState.class);
        for (ContainerRecord record : containers.get()) {
            counts.merge(record.state(), 1, Integer::sum);
        }
        return counts;
    }
}
