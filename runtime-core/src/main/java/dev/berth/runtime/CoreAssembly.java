package dev.berth.runtime;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.exec.DaemonThreads;
import dev.berth.common.fs.Trash;
import dev.berth.runtime.container.ContainerAttacher;
import dev.berth.runtime.container.ContainerCreator;
import dev.berth.runtime.container.ContainerEvents;
import dev.berth.runtime.container.ContainerExecutor;
import dev.berth.runtime.container.ContainerExits;
import dev.berth.runtime.container.ContainerHost;
import dev.berth.runtime.container.ContainerManager;
import dev.berth.runtime.container.ContainerRecord;
import dev.berth.runtime.container.ContainerRecovery;
import dev.berth.runtime.container.ContainerRegistry;
import dev.berth.runtime.container.ContainerRemover;
import dev.berth.runtime.container.ContainerStarter;
import dev.berth.runtime.container.ContainerStatsCollector;
import dev.berth.runtime.container.ResourceValidator;
import dev.berth.runtime.container.ContainerStopper;
import dev.berth.runtime.container.EventNotifier;
import dev.berth.runtime.container.LogReopener;
import dev.berth.runtime.container.ResourceUpdater;
import dev.berth.runtime.host.cgroup.CgroupCleaner;
import dev.berth.runtime.host.cgroup.CgroupDriver;
import dev.berth.runtime.host.cgroup.CgroupJoin;
import dev.berth.runtime.host.cgroup.CgroupLayout;
import dev.berth.runtime.host.cgroup.CgroupStatsReader;
import dev.berth.runtime.host.cgroup.PodCgroupWriter;
import dev.berth.runtime.host.files.SandboxFiles;
import dev.berth.runtime.host.files.SandboxShm;
import dev.berth.runtime.host.files.SandboxSysctls;
import dev.berth.runtime.host.monitor.ConmonSettings;
import dev.berth.runtime.host.monitor.OrphanedExecs;
import dev.berth.runtime.host.monitor.ExitWatcher;
import dev.berth.runtime.host.mounts.ReadOnlyStaging;
import dev.berth.runtime.host.ns.NamespacePins;
import dev.berth.runtime.host.oci.ContainerSpecBuilder;
import dev.berth.runtime.sandbox.OciHandlers;
import dev.berth.runtime.sandbox.PidHolder;
import dev.berth.runtime.sandbox.PodResourceUpdater;
import dev.berth.runtime.sandbox.SandboxContexts;
import dev.berth.runtime.sandbox.SandboxHost;
import dev.berth.runtime.sandbox.SandboxManager;
import dev.berth.runtime.sandbox.SandboxRecord;
import dev.berth.runtime.sandbox.SandboxRecovery;
import dev.berth.runtime.sandbox.SandboxRegistry;
import dev.berth.runtime.sandbox.SandboxRemover;
import dev.berth.runtime.sandbox.SandboxRunner;
import dev.berth.runtime.sandbox.SandboxStopper;
import dev.berth.runtime.spi.PodNetworkProvider;
import dev.berth.runtime.spi.RootfsProvider;
import dev.berth.runtime.stream.PortForwarder;
import dev.berth.runtime.stream.StreamSessions;
import dev.berth.runtime.host.sys.Binaries;
import dev.berth.runtime.stats.PodNetworkReader;
import dev.berth.runtime.stats.PodStatsCollector;
import dev.berth.runtime.store.Ids;
import dev.berth.runtime.store.RecordStore;
import dev.berth.runtime.store.StateLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.List;
import java.util.Map;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds runtime-core's object graph once, then runs the restart flow: sandboxes, containers, leftovers. */
final class CoreAssembly {

    private static final Logger LOG = LoggerFactory.getLogger(CoreAssembly.class);
    private static final Duration CONMON_CREATE_TIMEOUT = Duration.ofMinutes(4);

    private final RuntimeConfig config;
    private final RootfsProvider rootfs;
    private final PodNetworkProvider network;
    private final Clock clock;
    private final RuntimeObserver observer;

    CoreAssembly(RuntimeConfig config, RootfsProvider rootfs, PodNetworkProvider network, Clock clock,
            RuntimeObserver observer) {
        this.config = config;
        this.rootfs = rootfs;
        this.network = network;
        this.clock = clock;
        this.observer = observer;
    }

    RuntimeCore assembleAndRecover() {
        long started = System.nanoTime();
        StateLayout layout = new StateLayout(config.rootDir(), config.stateDir());
        createDirectories(layout);
        ConmonSettings conmon = new ConmonSettings(config.conmonBinary(), layout.stateDir().resolve("exits"),
                layout.stateDir().resolve("sock"), layout.stateDir().resolve("exec"), CONMON_CREATE_TIMEOUT);
        CgroupDriver driver = config.cgroupDriver();
        OciHandlers handlers = new OciHandlers(config.handlers(), config.defaultHandler(), layout,
                driver == CgroupDriver.SYSTEMD, conmon);
        ExitWatcher exitWatcher = new ExitWatcher(conmon.exitDir());
        Trash bundleTrash = Trash.open(layout.stateDir().resolve("trash"), "berth-bundle-trash");
        try {
            CgroupLayout cgroupLayout = CgroupLayout.detect();
            CgroupCleaner cgroups = new CgroupCleaner(cgroupLayout);
            ReadOnlyStaging staging = ReadOnlyStaging.open(layout.stateDir());
            ContainerSpecBuilder specs = ContainerSpecBuilder.forHost(driver, config.unsetSeccompIsRuntimeDefault());
            NamespacePins pins = new NamespacePins(layout.stateDir());
            SandboxContexts contexts = new SandboxContexts(layout, pins);
            Ids ids = new Ids();
            ObjectMapper mapper = new ObjectMapper()
                    .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

            Map<String, HandlerFeatures> features = HandlerFeatures.of(config.handlers(), cgroupLayout.mode(),
                    new HandlerFeatures(staging.supported(), UserNamespaceProbe.works(pins, rootfs,
                            List.of(layout.rootDir(), layout.stateDir()))));
            Set<String> usernsHandlers = features.entrySet().stream().filter(e -> e.getValue().userNamespaces())
                    .map(Map.Entry::getKey).collect(Collectors.toSet());
            SandboxHost sandboxHost = new SandboxHost(layout, handlers, pins, new SandboxFiles(),
                    new SandboxShm(config.shmSizeBytes()), new SandboxSysctls(),
                    new PidHolder(layout, new CgroupJoin(cgroupLayout), cgroups, driver,
                            config.catatonitBinary()), network, usernsHandlers);
            SandboxRegistry sandboxRegistry = new SandboxRegistry(
                    new RecordStore<>(layout.sandboxRecords(), SandboxRecord.class, mapper));
            ContainerRegistry containerRegistry = new ContainerRegistry(
                    new RecordStore<>(layout.containerRecords(), ContainerRecord.class, mapper));

            ContainerEvents events = new ContainerEvents();
            EventNotifier notifier = new EventNotifier(events, containerRegistry, sandboxRegistry, clock);
            CgroupStatsReader cgroupStats = new CgroupStatsReader(cgroupLayout);
            ContainerHost containerHost = new ContainerHost(layout, handlers, specs, exitWatcher, cgroups,
                    cgroupStats, rootfs, contexts, ResourceValidator.forHost(),
                    config.logSizeMax(), staging);
            ContainerExits exits = new ContainerExits(containerRegistry, containerHost, notifier, observer);
            ContainerStopper containerStopper = new ContainerStopper(containerRegistry, containerHost, exits);
            ContainerRemover containerRemover = new ContainerRemover(containerRegistry, containerHost,
                    containerStopper, exits, notifier, bundleTrash);
            ContainerStatsCollector containerStats = new ContainerStatsCollector(containerRegistry, containerHost,
                    clock);
            ContainerManager containers = new ContainerManager(containerRegistry,
                    new ContainerCreator(containerRegistry, sandboxRegistry, containerHost, exits, notifier, ids,
                            clock, observer),
                    new ContainerStarter(containerRegistry, containerHost, notifier, clock),
                    containerStopper, containerRemover,
                    new ContainerExecutor(containerRegistry, containerHost),
                    new LogReopener(containerRegistry, containerHost),
                    containerStats,
                    new ResourceUpdater(containerRegistry, containerHost),
                    new ContainerAttacher(containerRegistry, containerHost));

            // The pod-side steps that run beside the network's attach and detach.
            Executor sideThreads = Executors.newCachedThreadPool(DaemonThreads.numbered("berth-pod-side"));
            SandboxStopper sandboxStopper = new SandboxStopper(sandboxRegistry, sandboxHost, contexts, containers,
                    config.podStopTimeout(), notifier, sideThreads);
            SandboxRemover sandboxRemover = new SandboxRemover(sandboxRegistry, sandboxHost, sandboxStopper,
                    containers, notifier);
            SandboxManager sandboxes = new SandboxManager(sandboxRegistry,
                    new SandboxRunner(sandboxRegistry, sandboxHost, contexts, ids, clock, notifier, observer,
                            sideThreads),
                    sandboxStopper, sandboxRemover, new PodResourceUpdater(sandboxRegistry,
                            new PodCgroupWriter(cgroupLayout), driver, ResourceValidator.forHost()));

            SandboxRecovery sandboxRecovery = new SandboxRecovery(sandboxRegistry, sandboxHost, contexts,
                    sandboxRemover);
            sandboxRecovery.load();
            new ContainerRecovery(containerRegistry, containerHost, exits, containerRemover, clock)
                    .recover(sandboxRecovery::isKnown);
            sandboxRecovery.removeLeftovers();
            OrphanedExecs.reap(conmon);
            LOG.info("event=runtime_core_opened root={} state={} handlers={} took_ms={}", layout.rootDir(),
                    layout.stateDir(), config.handlers().keySet(), (System.nanoTime() - started) / 1_000_000);
            StreamSessions streams = new StreamSessions(new PortForwarder(sandboxRegistry, contexts),
                    containerRegistry, containerHost);
            PodStatsCollector podStats = new PodStatsCollector(sandboxRegistry, containerStats, contexts,
                    cgroupStats, new PodNetworkReader(Path.of("/proc"), Binaries.find("nsenter"),
                            Binaries.find("cat")), clock);
            return new RuntimeCore(config, sandboxes, containers, events, exitWatcher, streams, podStats,
                    features, bundleTrash);
        } catch (RuntimeException | Error e) {
            exitWatcher.close();
            bundleTrash.close();
            throw e;
        }
    }

    private static void createDirectories(StateLayout layout) {
        try {
            Files.createDirectories(layout.sandboxRecords());
            Files.createDirectories(layout.containerRecords());
            Files.createDirectories(layout.stateDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create berth directories", e);
        }
    }
}
