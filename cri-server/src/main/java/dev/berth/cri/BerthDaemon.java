package dev.berth.cri;

import dev.berth.cni.NetworkStatus;
import dev.berth.cni.PodNetwork;
import dev.berth.cri.config.BerthConfig;
import dev.berth.cri.handler.Condition;
import dev.berth.cri.handler.ContainerEventStream;
import dev.berth.cri.handler.ContainerHandler;
import dev.berth.cri.handler.ImageHandler;
import dev.berth.cri.handler.PodStatsHandler;
import dev.berth.cri.handler.RuntimeInfoHandler;
import dev.berth.cri.handler.RuntimeReadiness;
import dev.berth.cri.handler.SandboxHandler;
import dev.berth.cri.metrics.BerthMeters;
import dev.berth.cri.metrics.NetworkMetrics;
import dev.berth.cri.metrics.PullMetrics;
import dev.berth.cri.metrics.RuntimeMetrics;
import dev.berth.cri.metrics.StateMetrics;
import dev.berth.cri.server.CriServer;
import dev.berth.cri.server.DaemonLock;
import dev.berth.cri.server.DaemonLocks;
import dev.berth.cri.server.MetricsEndpoint;
import dev.berth.cri.service.CriImageService;
import dev.berth.cri.service.CriRuntimeService;
import dev.berth.cri.streaming.StreamUrls;
import dev.berth.cri.streaming.StreamingBackend;
import dev.berth.cri.streaming.StreamingPort;
import dev.berth.cri.streaming.StreamingRequests;
import dev.berth.cri.streaming.StreamingServer;
import dev.berth.cri.streaming.StreamingSettings;
import dev.berth.cri.streaming.TlsFiles;
import dev.berth.cri.streaming.TokenCache;
import dev.berth.cri.wiring.CniNetworkProvider;
import dev.berth.cri.wiring.ImageRootfsProvider;
import dev.berth.cri.wiring.ModuleConfigs;
import dev.berth.cri.wiring.RuntimeStreamingBackend;
import dev.berth.image.ImageAssembly;
import dev.berth.image.ImageStore;
import dev.berth.runtime.RuntimeCore;
import dev.berth.runtime.sandbox.SandboxFilter;
import dev.berth.runtime.sandbox.SandboxRecord;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running berth: locks, domain modules, the CRI server and the metrics endpoint, started in order and closed in
 * reverse. `berth serve` and the test extension both start berth through here.
 */
public final class BerthDaemon implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BerthDaemon.class);
    private static final Duration NETWORK_GC_INTERVAL = Duration.ofMinutes(5);

    private final BerthConfig config;
    private final CriServer server;
    private final MetricsEndpoint metrics;
    private final java.net.InetSocketAddress streamingAddress;
    private final Deque<AutoCloseable> resources;

    private BerthDaemon(BerthConfig config, CriServer server, MetricsEndpoint metrics,
                        java.net.InetSocketAddress streamingAddress, Deque<AutoCloseable> resources) {
        this.config = config;
        this.server = server;
        this.metrics = metrics;
        this.streamingAddress = streamingAddress;
        this.resources = resources;
    }

    public static BerthDaemon start(BerthConfig config) {
        long started = System.nanoTime();
        Deque<AutoCloseable> resources = new ArrayDeque<>();
        try {
            Path socket = Path.of(config.server().socket());
            // The state directory, the storage root, the socket and the bridge each get a lock, so none can be
            // shared by two daemons.
            DaemonLocks.of(config).forEach((file, what) -> resources.push(DaemonLock.acquire(file, what)));
            // Bound before anything touches the host's network, so a taken port stops start-up with nothing
            // to undo; the URLs need the port anyway.
            StreamingPort streamingPort = StreamingPort.bind(config.streaming().address());
            resources.push(streamingPort);
            io.netty.handler.ssl.SslContext streamingTls = config.streaming().tls()
                    ? TlsFiles.serverContext(config.streaming().tlsCertFile(), config.streaming().tlsKeyFile())
                    : null;

            BerthMeters meters = new BerthMeters();
            resources.push(meters);
            PrometheusMeterRegistry registry = meters.registry();
            // Like the streaming port, bound before the host's network is touched; it serves from now on.
            MetricsEndpoint metrics = null;
            if (!config.metrics().address().isEmpty()) {
                metrics = MetricsEndpoint.start(config.metrics().address(), meters);
                resources.push(metrics);
            }

            PullMetrics pullMetrics = new PullMetrics(registry);
            ImageAssembly imageAssembly = ImageAssembly.open(ModuleConfigs.images(config), pullMetrics);
            resources.push(imageAssembly);
            ImageStore images = imageAssembly.store();
            PodNetwork network = PodNetwork.open(ModuleConfigs.network(config), new NetworkMetrics(registry));
            resources.push(network);
            RuntimeCore runtime = RuntimeCore.open(ModuleConfigs.runtime(config), new ImageRootfsProvider(images),
                    new CniNetworkProvider(network), Clock.systemUTC(), new RuntimeMetrics(registry));
            resources.push(runtime);
            StateMetrics.bind(registry, runtime.sandboxes()::records, runtime.containers()::records,
                    runtime::monitorsAlive, runtime.events());
            // Addresses held for sandboxes that no longer exist (a crash mid-RunPodSandbox, a reboot) go back right
            // away, in the background, and then now and then; the sandbox list is the truth.
            Supplier<Set<String>> liveSandboxes = () -> runtime.sandboxes().list(SandboxFilter.ALL).stream()
                    .map(SandboxRecord::id).collect(Collectors.toSet());
            network.scheduleGarbageCollection(liveSandboxes, NETWORK_GC_INTERVAL);

            RuntimeReadiness runtimeReadiness = new RuntimeReadiness(config.runtime(),
                    runtime.config().conmonBinary());
            RuntimeInfoHandler info = new RuntimeInfoHandler(config, runtimeReadiness::check,
                    () -> networkCondition(network.status()), network::updatePodCidr, runtime.handlerFeatures());
            ContainerEventStream events = new ContainerEventStream(runtime.events(),
                    config.server().eventBuffer());
            resources.push(events);
            StreamingBackend streamingBackend = new RuntimeStreamingBackend(runtime.streams());
            TokenCache streamTokens = new TokenCache(Duration.ofSeconds(config.streaming().tokenTtlSeconds()));
            StreamingServer streaming = StreamingServer.start(streamingPort,
                    StreamingSettings.from(config.streaming()), streamingTls, streamTokens, streamingBackend);
            resources.push(streaming);
            CriRuntimeService runtimeService = new CriRuntimeService(info,
                    new SandboxHandler(runtime.sandboxes(), runtime.containers()),
                    new ContainerHandler(runtime.containers()), events,
                    new StreamingRequests(streamingBackend, streamTokens,
                            new StreamUrls(streaming.address(), streamingTls != null)),
                    new PodStatsHandler(runtime.podStats()));
            CriImageService imageService = new CriImageService(new ImageHandler(images, pullMetrics));

            CriServer server = CriServer.start(socket, config.server().maxMessageBytes(),
                    Duration.ofSeconds(config.server().shutdownGraceSeconds()),
                    List.of(runtimeService, imageService), registry);
            resources.push(server);
            log.info("berth started version={} socket={} ms={}", BuildInfo.version(), socket,
                    (System.nanoTime() - started) / 1_000_000);
            return new BerthDaemon(config, server, metrics, streamingPort.address(), resources);
        } catch (RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    private static Condition networkCondition(NetworkStatus status) {
        return status.ready() ? Condition.ok() : Condition.notReady(status.reason(), status.message());
    }

    public BerthConfig config() {
        return config;
    }

    public Path socket() {
        return server.socket();
    }

    /** Where the exec/attach/port-forward server listens. */
    public java.net.InetSocketAddress streamingAddress() {
        return streamingAddress;
    }

    public Optional<java.net.InetSocketAddress> metricsAddress() {
        return Optional.ofNullable(metrics).map(MetricsEndpoint::address);
    }

    /** Stops the server (in-flight calls finish within the grace period); containers keep running. */
    @Override
    public void close() {
        closeAll(resources);
    }

    private static void closeAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            AutoCloseable resource = resources.pop();
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("close failed resource={} error={}", resource.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
