package dev.berth.runtime.sandbox;

import dev.berth.common.exec.Futures;
import dev.berth.runtime.container.ContainerEventType;
import dev.berth.runtime.container.EventNotifier;
import dev.berth.runtime.host.ns.NamespaceKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * StopPodSandbox: stop every container, kill the PID holder while the network is detached, unpin the namespaces,
 * unmount shm; keep the record as NOTREADY. Every step is idempotent, so a Stop after a crash half-way (or a
 * repeated Stop, which the kubelet does) finishes the job. A missing sandbox is fine.
 */
public final class SandboxStopper {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxStopper.class);

    private final SandboxRegistry registry;
    private final SandboxHost host;
    private final SandboxContexts contexts;
    private final PodContainers containers;
    private final Duration defaultTimeout;
    private final EventNotifier notifier;
    private final Executor sideThreads;

    /**
     * @param defaultTimeout the grace period for the pod's containers (the kubelet has stopped them already)
     * @param sideThreads runs the PID holder's end while the network is detached
     */
    public SandboxStopper(SandboxRegistry registry, SandboxHost host, SandboxContexts contexts,
            PodContainers containers, Duration defaultTimeout, EventNotifier notifier, Executor sideThreads) {
        this.registry = registry;
        this.host = host;
        this.contexts = contexts;
        this.containers = containers;
        this.defaultTimeout = defaultTimeout;
        this.notifier = notifier;
        this.sideThreads = sideThreads;
    }

    public void stop(String idOrPrefix) {
        stop(idOrPrefix, defaultTimeout);
    }

    public void stop(String idOrPrefix, Duration containerTimeout) {
        Optional<SandboxRecord> found = registry.find(idOrPrefix);
        if (found.isEmpty()) {
            LOG.debug("event=sandbox_stop_missing sandbox={}", idOrPrefix);
            return;
        }
        String id = found.get().id();
        registry.locks().with(id, () -> stopLocked(id, containerTimeout));
    }

    /** Stops the sandbox; the caller holds its lock. */
    void stopLocked(String id, Duration containerTimeout) {
        Optional<SandboxRecord> current = registry.byFullId(id);
        if (current.isEmpty()) {
            return;
        }
        SandboxRecord record = current.get();
        boolean wasReady = record.state() == SandboxState.READY;
        if (wasReady) {
            // First, so that no container is created in a pod that is going away.
            record = record.withState(SandboxState.NOTREADY);
            registry.save(record);
        }
        containers.stopAll(id, containerTimeout);
        // Holders made by earlier versions of berth ran as containers.
        if (host.pidHolder().hasLegacyBundle(id)) {
            Optional<OciHandlers.Handler> handler = host.handlers().find(record.runtimeHandler());
            if (handler.isPresent()) {
                host.pidHolder().removeLegacy(handler.get(), id);
                registry.save(record = record.withPidHolder(0, 0));
            } else {
                LOG.warn("event=pid_holder_leaked sandbox={} reason=handler_not_configured handler={}", id,
                        record.runtimeHandler());
            }
        }
        CompletableFuture<Void> holderGone = null;
        if (record.pidHolderPid() != 0) {
            // Killing it and removing its cgroup wait on the kernel more than they use the CPU: done beside the
            // network's detach rather than before it.
            SandboxRecord withHolder = record;
            holderGone = CompletableFuture.runAsync(() -> host.pidHolder().destroy(id, withHolder.cgroupParent(),
                    withHolder.pidHolderPid(), withHolder.pidHolderStartTicks()), sideThreads);
        } else if (record.namespaces().pid() == NamespaceMode.POD && record.state() == SandboxState.CREATING) {
            // berth died inside RunPodSandbox: a holder may run that no record names.
            host.pidHolder().destroy(id, record.cgroupParent(), 0, 0);
        }
        SandboxRecord before = record;
        RuntimeException failure = null;
        if (record.networkAttached()) {
            try {
                Path netns = contexts.namespaces(id, record.namespaces()).path(NamespaceKind.NET).orElseThrow();
                host.network().detach(id, netns, SandboxConfigs.of(record));
                // The IP stays in the record: status of a stopped pod still shows what it had.
                record = record.withNetwork(record.ip(), record.additionalIps(), false);
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        if (holderGone != null) {
            try {
                Futures.await(holderGone);
                record = record.withPidHolder(0, 0);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (record != before) {
            // One write for both steps; a step that failed is redone by the next Stop.
            registry.save(record);
        }
        if (failure != null) {
            throw failure;
        }
        host.pins().unpin(id);
        host.shm().unmount(host.layout().sandboxRuntime(id));
        LOG.info("event=sandbox_stopped sandbox={} pod={}/{}", id, record.metadata().namespace(),
                record.metadata().name());
        if (wasReady) {
            // Once per stop, not for every repeated StopPodSandbox of an already stopped pod.
            notifier.notifySandbox(record, ContainerEventType.CONTAINER_STOPPED);
        }
    }
}
