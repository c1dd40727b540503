package dev.berth.runtime;

import dev.berth.common.fs.Trash;
import dev.berth.runtime.container.ContainerEvents;
import dev.berth.runtime.container.ContainerManager;
import dev.berth.runtime.host.monitor.ExitWatcher;
import dev.berth.runtime.sandbox.SandboxManager;
import dev.berth.runtime.spi.PodNetworkProvider;
import dev.berth.runtime.spi.RootfsProvider;
import dev.berth.runtime.stats.PodStatsCollector;
import dev.berth.runtime.stream.StreamSessions;
import java.time.Clock;
import java.util.Map;

/**
 * runtime-core's entry point for cri-server: {@link #sandboxes()}, {@link #containers()} and {@link #events()}.
 * {@link #open} recovers what a previous daemon left (containers keep running across restarts); {@link #close}
 * stops watching and leaves every sandbox and container as it is.
 */
public final class RuntimeCore implements AutoCloseable {

    private final RuntimeConfig config;
    private final SandboxManager sandboxes;
    private final ContainerManager containers;
    private final ContainerEvents events;
    private final ExitWatcher exitWatcher;
    private final StreamSessions streams;
    private final PodStatsCollector podStats;
    private final Map<String, HandlerFeatures> handlerFeatures;
    private final Trash bundleTrash;

    RuntimeCore(RuntimeConfig config, SandboxManager sandboxes, ContainerManager containers, ContainerEvents events,
            ExitWatcher exitWatcher, StreamSessions streams, PodStatsCollector podStats,
            Map<String, HandlerFeatures> handlerFeatures, Trash bundleTrash) {
        this.bundleTrash = bundleTrash;
        this.handlerFeatures = Map.copyOf(handlerFeatures);
        this.config = config;
        this.sandboxes = sandboxes;
        this.containers = containers;
        this.events = events;
        this.exitWatcher = exitWatcher;
        this.streams = streams;
        this.podStats = podStats;
    }

    /** Wires runtime-core, loads the persisted records and reconciles them with the host. */
    public static RuntimeCore open(RuntimeConfig config, RootfsProvider rootfs, PodNetworkProvider network) {
        return open(config, rootfs, network, Clock.systemUTC());
    }

    public static RuntimeCore open(RuntimeConfig config, RootfsProvider rootfs, PodNetworkProvider network,
            Clock clock) {
        return open(config, rootfs, network, clock, RuntimeObserver.NONE);
    }

    /** Like {@link #open(RuntimeConfig, RootfsProvider, PodNetworkProvider)}, reporting to {@code observer}. */
    public static RuntimeCore open(RuntimeConfig config, RootfsProvider rootfs, PodNetworkProvider network,
            Clock clock, RuntimeObserver observer) {
        return new CoreAssembly(config, rootfs, network, clock, observer).assembleAndRecover();
    }

    public SandboxManager sandboxes() {
        return sandboxes;
    }

    public ContainerManager containers() {
        return containers;
    }

    public ContainerEvents events() {
        return events;
    }

    /** Exec, attach and port-forward sessions for the streaming server. */
    public StreamSessions streams() {
        return streams;
    }

    /** What each configured handler can do on this host, by handler name. */
    public Map<String, HandlerFeatures> handlerFeatures() {
        return handlerFeatures;
    }

    /** Pod-level stats (PodSandboxStats, ListPodSandboxStats and the pod metrics built from them). */
    public PodStatsCollector podStats() {
        return podStats;
    }

    /** Containers whose monitor (conmon) is alive, as of the last liveness check. */
    public int monitorsAlive() {
        return exitWatcher.monitorsAlive();
    }

    public RuntimeConfig config() {
        return config;
    }

    /**
     * Stops exit watching and waits for removed bundles to be deleted. Sandboxes and containers keep running; the next
     * {@link #open} picks them up.
     */
    @Override
    public void close() {
        exitWatcher.close();
        bundleTrash.close();
    }
}
