package dev.berth.runtime.container;

import dev.berth.common.time.EpochNanos;
import dev.berth.runtime.host.monitor.ContainerExit;
import dev.berth.runtime.host.oci.OciJson;
import dev.berth.runtime.host.oci.OciSpec;
import dev.berth.runtime.host.oci.OciState;
import dev.berth.runtime.sandbox.OciHandlers;
import dev.berth.runtime.store.RecordStore;
import dev.berth.runtime.store.SafeTrees;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Container half of the restart flow: serve every persisted container again; reconcile each CREATED/RUNNING one
 * with conmon's exit file and the OCI runtime's state (an exit while berth was down becomes EXITED with its code
 * and time), re-arm the exit watches of the live ones, and remove what is half-made: records still CREATING,
 * directories without a usable record, and OCI containers berth has no record of. Running containers are never
 * killed.
 */
public final class ContainerRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerRecovery.class);

    private final ContainerRegistry registry;
    private final ContainerHost host;
    private final ContainerExits exits;
    private final ContainerRemover remover;
    private final Clock clock;
    private final OciJson json = new OciJson();

    public ContainerRecovery(ContainerRegistry registry, ContainerHost host, ContainerExits exits,
            ContainerRemover remover, Clock clock) {
        this.registry = registry;
        this.host = host;
        this.exits = exits;
        this.remover = remover;
        this.clock = clock;
    }

    /**
     * @param sandboxRuntimeIds tells which OCI runtime IDs belong to sandboxes (their PID holders), not containers
     */
    public void recover(Predicate<String> sandboxRuntimeIds) {
        RecordStore.Loaded<ContainerRecord> loaded = registry.store().loadAll();
        int live = 0;
        for (ContainerRecord record : loaded.records().values()) {
            registry.restore(record);
            if (record.state() != ContainerState.CREATING) {
                registry.names().claim(record.reservationName(), record.id(), record.fingerprint());
            }
        }
        for (ContainerRecord record : loaded.records().values()) {
            try {
                switch (record.state()) {
                    case CREATING:
                        remover.removeRecord(record);
                        LOG.info("event=half_made_container_removed container={}", record.id());
                        break;
                    case CREATED:
                    case RUNNING:
                    case UNKNOWN:
                        live += reconcile(record) ? 1 : 0;
                        break;
                    default:
                        break;
                }
            } catch (RuntimeException e) {
                LOG.warn("event=container_recovery_failed container={} error=\"{}\"", record.id(), e.getMessage());
            }
        }
        Set<String> leftovers = new HashSet<>(loaded.orphans());
        leftovers.addAll(unknownIds(host.layout().stateDir().resolve("containers"), sandboxRuntimeIds));
        for (OciHandlers.Handler handler : host.handlers().all()) {
            leftovers.addAll(unknownIds(host.layout().ociRoot(handler.name()), sandboxRuntimeIds));
        }
        host.readOnlyStaging().stagedContainers().stream().filter(id -> registry.byFullId(id).isEmpty())
                .forEach(leftovers::add);
        leftovers.forEach(this::removeLeftover);
        LOG.info("event=containers_recovered count={} live={} leftovers_removed={}", loaded.records().size(), live,
                leftovers.size());
    }

    /** Returns true when the container still lives and is watched again. */
    private boolean reconcile(ContainerRecord record) {
        String id = record.id();
        Optional<OciHandlers.Handler> handler = host.handlers().find(record.runtimeHandler());
        if (handler.isEmpty()) {
            markLost(record, "runtime handler " + record.runtimeHandler() + " is not configured");
            return false;
        }
        Optional<ContainerExit> exit = host.exits().check(id, host.bundle(id));
        if (exit.isPresent()) {
            exits.onExit(exit.get());
            return false;
        }
        Optional<OciState> state = handler.get().runtime().state(id);
        if (state.isEmpty()) {
            // Neither an exit file nor runtime state: the node rebooted, or the state was wiped.
            markLost(record, "container state lost (node restart?)");
            return false;
        }
        ContainerRecord current = record;
        if (record.state() == ContainerState.CREATED && state.get().isRunning()) {
            // berth died between `runc start` and recording it; the start time is approximate.
            current = record.started(EpochNanos.now(clock), state.get().pid());
            registry.save(current);
        }
        exits.watch(current);
        return true;
    }

    private void markLost(ContainerRecord record, String why) {
        registry.save(record.exited(EpochNanos.now(clock), ContainerExit.UNKNOWN_EXIT_CODE, "Error", why));
        LOG.warn("event=container_lost container={} reason=\"{}\"", record.id(), why);
    }

    private Set<String> unknownIds(Path dir, Predicate<String> sandboxRuntimeIds) {
        Set<String> ids = new HashSet<>();
        if (!Files.isDirectory(dir)) {
            return ids;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String id = entry.getFileName().toString();
                if (registry.byFullId(id).isEmpty() && !sandboxRuntimeIds.test(id)) {
                    ids.add(id);
                }
            }
        } catch (IOException e) {
            LOG.warn("event=leftover_scan_failed dir={} error=\"{}\"", dir, e.getMessage());
        }
        return ids;
    }

    /** The cgroup a leftover's spec named, if its bundle is still there. */
    private Optional<String> cgroupOf(String id) {
        Path bundle = host.bundle(id);
        if (!Files.exists(bundle.resolve("config.json"))) {
            return Optional.empty();
        }
        try {
            OciSpec spec = json.readConfig(bundle);
            return Optional.ofNullable(spec.linux()).map(OciSpec.Linux::cgroupsPath).filter(p -> !p.isEmpty());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** An OCI container or directory without a record: delete it everywhere it may be. */
    private void removeLeftover(String id) {
        try {
            // First: a staged mount left mounted would keep the bundle's deletion below from running.
            host.readOnlyStaging().release(id);
            for (OciHandlers.Handler handler : host.handlers().all()) {
                Optional<OciState> state = handler.runtime().state(id);
                if (state.isPresent()) {
                    handler.runtime().delete(id, true);
                }
                handler.conmon().cleanup(id, host.bundle(id));
            }
            host.rootfs().release(id);
            cgroupOf(id).ifPresent(path -> host.cgroups().remove(path));
            SafeTrees.delete(host.bundle(id));
            SafeTrees.delete(host.layout().containerRecords().resolve(id));
            LOG.info("event=leftover_container_removed container={}", id);
        } catch (RuntimeException e) {
            LOG.warn("event=leftover_container_remove_failed container={} error=\"{}\"", id, e.getMessage());
        }
    }
}
