package dev.berth.runtime.sandbox;

import dev.berth.common.error.BerthException;
import dev.berth.common.exec.Futures;
import dev.berth.common.time.EpochNanos;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.runtime.OperationTiming;
import dev.berth.runtime.RuntimeObserver;
import dev.berth.runtime.container.ContainerEventType;
import dev.berth.runtime.container.EventNotifier;
import dev.berth.runtime.host.files.SandboxFilePaths;
import dev.berth.runtime.host.files.SandboxSysctls;
import dev.berth.runtime.host.ns.NamespaceKind;
import dev.berth.runtime.host.ns.PinnedNamespaces;
import dev.berth.runtime.host.oci.SandboxContext;
import dev.berth.runtime.spi.PodNetworkStatus;
import dev.berth.runtime.store.Ids;
import dev.berth.runtime.store.Rollback;
import dev.berth.runtime.store.SafeTrees;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RunPodSandbox: validate, reserve the name, persist a CREATING record (so a crash mid-way is undone at restart),
 * attach the network (which pins the namespaces, running its pod-side setup in the pinning spawn; host-network
 * pods just pin) while the shm mount and the PID holder (if the pod shares one) are set up in the pinned
 * namespaces, write the sandbox files, apply sysctls, then READY. Any failure undoes every step already done.
 */
public final class SandboxRunner {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxRunner.class);
    static final String PART_NAMESPACES = "namespaces";
    static final String PART_NETWORK = "network";
    static final String PART_FILES = "files";
    static final String PART_PID_HOLDER = "pid_holder";

    private final SandboxRegistry registry;
    private final SandboxHost host;
    private final SandboxContexts contexts;
    private final Ids ids;
    private final Clock clock;
    private final EventNotifier notifier;
    private final RuntimeObserver observer;
    private final PodSideSetup podSide;

    /** @param setupThreads runs the pod-side steps while the network is attached */
    public SandboxRunner(SandboxRegistry registry, SandboxHost host, SandboxContexts contexts, Ids ids, Clock clock,
            EventNotifier notifier, RuntimeObserver observer, Executor setupThreads) {
        this.registry = registry;
        this.host = host;
        this.contexts = contexts;
        this.ids = ids;
        this.clock = clock;
        this.notifier = notifier;
        this.observer = observer;
        this.podSide = new PodSideSetup(host, setupThreads);
    }

    /** Runs a sandbox and returns its ID (the first call's ID for a retry of the same request). */
    public String run(PodSandboxConfig config, String runtimeHandler) {
        SandboxValidator.validate(config);
        OciHandlers.Handler handler = host.handlers().select(runtimeHandler);
        NamespaceModes modes = SandboxConfigs.namespaces(config);
        if (modes.userns() != null && !host.userNamespaceHandlers().contains(handler.name())) {
            throw BerthException.invalidArgument("linux.security_context.namespace_options.userns_options.mode POD "
                    + "(a user namespace per pod) is not supported by runtime handler " + handler.name()
                    + " on this host; Status advertises user_namespaces: false for it");
        }
        // Sysctls are checked before anything is done; the pins they need have known paths.
        SandboxSysctls.validate(contexts.namespaces("0", modes), config.getLinux().getSysctlsMap());
        SandboxMetadata metadata = SandboxConfigs.metadata(config.getMetadata());
        String fingerprint = SandboxConfigs.fingerprint(config,
                RunPodSandboxRequest.newBuilder().setRuntimeHandler(handler.name())
                        .build());
        String id = ids.next();
        return registry.names().reserve(metadata.reservationName(), fingerprint, id,
                () -> create(id, config, handler, modes, metadata, fingerprint));
    }

    private void create(String id, PodSandboxConfig config, OciHandlers.Handler handler, NamespaceModes modes,
            SandboxMetadata metadata, String fingerprint) {
        OperationTiming.Stopwatch timing = new OperationTiming.Stopwatch();
        long started = timing.startedNanos();
        Rollback rollback = new Rollback("sandbox " + id);
        try {
            // Marked attached from the start: a crash anywhere in the network step still gets a DEL at restart.
            SandboxRecord record = SandboxRecord.builder()
                    .id(id)
                    .metadata(metadata)
                    .state(SandboxState.CREATING)
                    .createdAt(EpochNanos.now(clock))
                    .runtimeHandler(handler.name())
                    .hostname(config.getHostname())
                    .logDirectory(config.getLogDirectory())
                    .dns(SandboxConfigs.dns(config.getDnsConfig()))
                    // A host-network pod publishes nothing: its mappings are neither checked nor kept.
                    .portMappings(modes.hostNetwork() ? List.of()
                            : SandboxConfigs.portMappings(config.getPortMappingsList()))
                    .labels(config.getLabelsMap())
                    .annotations(config.getAnnotationsMap())
                    .cgroupParent(config.getLinux().getCgroupParent())
                    .namespaces(modes)
                    .sysctls(config.getLinux().getSysctlsMap())
                    .fingerprint(fingerprint)
                    .networkAttached(!modes.hostNetwork())
                    .config(config)
                    .build();
            registry.save(record);
            rollback.push("record", () -> registry.delete(registry.byFullId(id).orElseThrow()));

            Set<NamespaceKind> kinds = SandboxContexts.pinnedKinds(modes);
            rollback.push("pins", () -> host.pins().unpin(id));
            Path runtimeDir = host.layout().sandboxRuntime(id);
            rollback.push("runtime dir", () -> SafeTrees.delete(runtimeDir));
            String cgroupParent = record.cgroupParent();
            PinnedNamespaces pinned;
            PodSideSetup.Done podSideDone;
            Optional<String> podIp = Optional.empty();
            if (modes.hostNetwork()) {
                long pinning = System.nanoTime();
                pinned = host.pins().pin(id, kinds, List.of(), modes.userns());
                timing.part(PART_NAMESPACES, pinning);
                podSideDone = podSide.run(id, pinned, modes, cgroupParent);
            } else {
                // The network makes the namespaces itself, so that its pod side runs in the pinning spawn.
                PinnedNamespaces planned = contexts.namespaces(id, modes);
                Path netns = planned.path(NamespaceKind.NET).orElseThrow();
                rollback.push("network", () -> host.network().detach(id, netns, config));
                AtomicBoolean made = new AtomicBoolean();
                AtomicReference<CompletableFuture<PodSideSetup.Done>> podSideStarted = new AtomicReference<>();
                long attaching = System.nanoTime();
                long[] pinNanos = new long[1];
                PodNetworkStatus network;
                try {
                    network = host.network().attach(id, netns,
                            commands -> {
                                long pinning = System.nanoTime();
                                host.pins().pin(id, kinds, commands, modes.userns());
                                pinNanos[0] = System.nanoTime() - pinning;
                                made.set(true);
                                // Independent of what the network does next (CNI ADD): they overlap.
                                podSideStarted.set(podSide.start(id, planned, modes, cgroupParent));
                            }, config);
                } catch (RuntimeException | Error e) {
                    undoPodSide(podSideStarted.get(), rollback, id, cgroupParent, e);
                    throw e;
                }
                // The pins are made inside the network's attach: its time is the attach's minus theirs.
                timing.addNanos(PART_NAMESPACES, pinNanos[0]);
                timing.addNanos(PART_NETWORK, System.nanoTime() - attaching - pinNanos[0]);
                if (!made.get()) {
                    throw BerthException.internal("the pod network of sandbox " + id
                            + " returned without making its network namespace", null);
                }
                podSideDone = Futures.await(podSideStarted.get());
                pinned = planned;
                record = record.withNetwork(network.ip(), network.additionalIps(), true);
                podIp = network.ip().isEmpty() ? Optional.empty() : Optional.of(network.ip());
            }

            podSide.pushUndo(rollback, id, cgroupParent, podSideDone);
            timing.addNanos(PART_FILES, podSideDone.shmNanos());
            if (podSideDone.holder().isPresent()) {
                PidHolder.Process holder = podSideDone.holder().get();
                record = record.withPidHolder(holder.pid(), holder.startTicks());
                timing.addNanos(PART_PID_HOLDER, podSideDone.holderNanos());
            }

            long writingFiles = System.nanoTime();
            SandboxFilePaths files = host.files().write(host.layout().sandboxFiles(id),
                    SandboxContext.hostnameOf(config), modes.hostNetwork(), podIp, record.dns());
            if (modes.userns() != null) {
                // The pod's root owns its own files, as it would without a user namespace.
                host.files().chown(files, modes.userns().hostUid(), modes.userns().hostGid());
            }
            // After the network: a sysctl the pod asks for wins over one a CNI plugin set.
            host.sysctls().apply(pinned, record.sysctls());
            timing.part(PART_FILES, writingFiles);

            SandboxRecord ready = record.withState(SandboxState.READY);
            registry.save(ready);
            observer.operationTimed(timing.finish(OperationTiming.SANDBOX_CREATE, handler.name()));
            // As containerd does: a new sandbox is reported created, then started (its ID as the container ID).
            notifier.notifySandbox(ready, ContainerEventType.CONTAINER_CREATED);
            notifier.notifySandbox(ready, ContainerEventType.CONTAINER_STARTED);
            LOG.info("event=sandbox_ready sandbox={} pod={}/{} attempt={} ip={} handler={} took_ms={}", id,
                    metadata.namespace(), metadata.name(), metadata.attempt(), record.ip(), handler.name(),
                    (System.nanoTime() - started) / 1_000_000);
        } catch (RuntimeException | Error e) {
            LOG.warn("event=sandbox_run_failed sandbox={} pod={}/{} error=\"{}\"", id, metadata.namespace(),
                    metadata.name(), e.getMessage());
            rollback.run();
            throw e;
        }
    }

    /** After a failed attach: waits for the pod-side steps if they started, so that their work is undone too. */
    private void undoPodSide(CompletableFuture<PodSideSetup.Done> started, Rollback rollback, String id,
            String cgroupParent, Throwable failure) {
        if (started == null) {
            return;
        }
        try {
            podSide.pushUndo(rollback, id, cgroupParent, Futures.await(started));
        } catch (RuntimeException | Error e) {
            // They failed as well and left nothing.
            failure.addSuppressed(e);
        }
    }
}
