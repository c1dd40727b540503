package dev.berth.runtime.sandbox;

import dev.berth.runtime.host.ns.NamespaceKind;
import dev.berth.runtime.host.ns.PinnedNamespaces;
import dev.berth.common.fs.MountTable;
import dev.berth.runtime.store.RecordStore;
import dev.berth.runtime.store.SafeTrees;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sandbox half of the restart flow. {@link #load} serves every persisted sandbox again and re-checks what a READY
 * one needs (its namespace pins, its shm, its PID holder): a sandbox missing any of them is NOTREADY, and the
 * kubelet re-creates the pod. {@link #removeLeftovers} removes sandboxes that were still being created when berth
 * died and directories without a usable record. Running workloads are never touched.
 */
public final class SandboxRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxRecovery.class);

    private final SandboxRegistry registry;
    private final SandboxHost host;
    private final SandboxContexts contexts;
    private final SandboxRemover remover;
    private final List<String> creating = new ArrayList<>();
    private final List<String> orphans = new ArrayList<>();

    public SandboxRecovery(SandboxRegistry registry, SandboxHost host, SandboxContexts contexts,
            SandboxRemover remover) {
        this.registry = registry;
        this.host = host;
        this.contexts = contexts;
        this.remover = remover;
    }

    /** Loads and reconciles the records; run before containers are recovered. */
    public void load() {
        RecordStore.Loaded<SandboxRecord> loaded = registry.store().loadAll();
        orphans.addAll(loaded.orphans());
        MountTable mounts = MountTable.current();
        for (SandboxRecord record : loaded.records().values()) {
            registry.restore(record);
            if (record.state() == SandboxState.CREATING) {
                creating.add(record.id());
                continue;
            }
            registry.names().claim(record.metadata().reservationName(), record.id(), record.fingerprint());
            if (record.state() == SandboxState.READY) {
                reconcileReady(record, mounts);
            }
        }
        LOG.info("event=sandboxes_recovered count={} creating={} orphans={}", loaded.records().size(),
                creating.size(), orphans.size());
    }

    private void reconcileReady(SandboxRecord record, MountTable mounts) {
        String id = record.id();
        List<String> missing = new ArrayList<>();
        PinnedNamespaces found = host.pins().find(id);
        for (NamespaceKind kind : SandboxContexts.pinnedKinds(record.namespaces())) {
            if (!found.isPinned(kind)) {
                missing.add(kind.dirName() + " namespace pin");
            }
        }
        if (record.namespaces().ipc() != NamespaceMode.NODE
                && !mounts.isMountPoint(contexts.shmOf(id, record.namespaces()))) {
            missing.add("shm");
        }
        SandboxRecord updated = record;
        if (record.namespaces().pid() == NamespaceMode.POD) {
            if (host.pidHolder().find(id, record.pidHolderPid(), record.pidHolderStartTicks()).isEmpty()) {
                missing.add("pid holder");
            }
        }
        if (!missing.isEmpty()) {
            LOG.warn("event=sandbox_not_ready_after_restart sandbox={} missing={}", id, missing);
            updated = updated.withState(SandboxState.NOTREADY);
        }
        if (!updated.equals(record)) {
            registry.save(updated);
        }
    }

    /** Removes half-made sandboxes and record-less leftovers; run after containers are recovered. */
    public void removeLeftovers() {
        for (String id : creating) {
            try {
                registry.locks().with(id, () -> remover.removeLocked(id));
                LOG.info("event=half_made_sandbox_removed sandbox={}", id);
            } catch (RuntimeException e) {
                LOG.warn("event=half_made_sandbox_remove_failed sandbox={} error=\"{}\"", id, e.getMessage());
            }
        }
        for (String id : orphans) {
            try {
                // Without a record the network config is unknown: CNI GC at startup reclaims the attachment.
                host.handlers().all().forEach(h -> {
                    if (h.runtime().state(id).isPresent()) {
                        h.runtime().delete(id, true);
                        h.conmon().cleanup(id, host.layout().sandboxRuntime(id).resolve("pidholder"));
                    }
                });
                host.pins().unpin(id);
                host.shm().unmount(host.layout().sandboxRuntime(id));
                SafeTrees.delete(host.layout().sandboxRuntime(id));
                SafeTrees.delete(host.layout().sandboxFiles(id));
                LOG.info("event=orphan_sandbox_removed sandbox={}", id);
            } catch (RuntimeException e) {
                LOG.warn("event=orphan_sandbox_remove_failed sandbox={} error=\"{}\"", id, e.getMessage());
            }
        }
        creating.clear();
        orphans.clear();
        Set<Integer> holders = registry.all().stream().map(SandboxRecord::pidHolderPid).filter(pid -> pid > 0)
                .collect(Collectors.toSet());
        host.pidHolder().killStrays(holders);
    }

    /** The sandbox IDs whose runtime state is berth's (PID holders share their sandbox's ID). */
    public boolean isKnown(String id) {
        return registry.byFullId(id).isPresent();
    }
}
