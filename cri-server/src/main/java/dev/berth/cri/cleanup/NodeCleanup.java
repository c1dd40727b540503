package dev.berth.cri.cleanup;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.cni.NetworkMode;
import dev.berth.cni.PodNetworkConfig;
import dev.berth.common.exec.Command;
import dev.berth.common.fs.MountTable;
import dev.berth.common.fs.Trees;
import dev.berth.cri.config.BerthConfig;
import dev.berth.cri.server.DaemonLock;
import dev.berth.cri.server.DaemonLocks;
import dev.berth.cri.server.StartupException;
import dev.berth.cri.wiring.ModuleConfigs;
import dev.berth.runtime.host.cgroup.CgroupDriver;
import dev.berth.runtime.host.cgroup.CgroupLayout;
import dev.berth.runtime.sandbox.SandboxRecord;
import dev.berth.runtime.store.RecordStore;
import dev.berth.runtime.store.StateLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * `berth cleanup`: removes what a stopped berth leaves on a node being decommissioned. It holds every lock the daemon
 * holds for the whole run, so it refuses while a daemon runs and no daemon can start meanwhile. Containers that
 * still run stop it before anything is touched; stopped ones are deleted from the OCI runtime.
 */
public final class NodeCleanup {

    /** Image storage under the root, kept unless asked for; {@code overlay2/containers} is runtime state. */
    private static final Set<String> IMAGE_DIRS = Set.of("images", "overlay2");

    private final BerthConfig config;
    private final boolean removeImages;
    private final Consumer<String> removed;

    /** @param removed told each thing removed, as one line for the operator */
    public NodeCleanup(BerthConfig config, boolean removeImages, Consumer<String> removed) {
        this.config = config;
        this.removeImages = removeImages;
        this.removed = removed;
    }

    public void run() {
        Deque<DaemonLock> held = new ArrayDeque<>();
        try {
            Map<Path, String> locks = DaemonLocks.of(config);
            locks.forEach((file, what) -> held.push(lock(file, what)));
            StateLayout layout = new StateLayout(Path.of(config.storage().root()), Path.of(config.storage().state()));
            List<String> cgroupParents = cgroupParents(layout);
            deleteStoppedContainers(layout);
            unmountBelow(layout.stateDir());
            unmountBelow(layout.rootDir());
            removeNetwork();
            removeCgroups(cgroupParents);
            removeFiles(layout);
            removeSocket();
            locks.keySet().forEach(NodeCleanup::deleteQuietly);
            // Left empty when there were no images to keep.
            deleteQuietly(layout.rootDir());
        } finally {
            held.forEach(DaemonLock::close);
        }
    }

    private static DaemonLock lock(Path file, String what) {
        try {
            return DaemonLock.acquire(file, what);
        } catch (StartupException e) {
            throw new CleanupException(e.getMessage());
        }
    }

    private void deleteStoppedContainers(StateLayout layout) {
        List<OciLeftovers> handlers = new ArrayList<>();
        config.runtime().handlers().forEach((name, handler) -> handlers.add(
                new OciLeftovers(name, Path.of(handler.path()), layout.ociRoot(name))));
        List<String> live = new ArrayList<>();
        for (OciLeftovers handler : handlers) {
            handler.list().stream().filter(c -> !c.status().equals("stopped"))
                    .forEach(c -> live.add(c.id() + " (" + handler.handler() + ", " + c.status() + ")"));
        }
        if (!live.isEmpty()) {
            throw new CleanupException("containers still run: " + live
                    + "; stop their pods first (crictl stopp) with the daemon running");
        }
        for (OciLeftovers handler : handlers) {
            for (OciLeftovers.Container container : handler.list()) {
                handler.delete(container);
                removed.accept("container " + container.id() + " (" + handler.handler() + " delete)");
            }
        }
    }

    /** The default parent and every recorded pod's own, read before the records go. */
    private List<String> cgroupParents(StateLayout layout) {
        CgroupDriver driver = ModuleConfigs.cgroupDriver(config);
        Set<String> parents = new LinkedHashSet<>();
        ObjectMapper mapper = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        new RecordStore<>(layout.sandboxRecords(), SandboxRecord.class, mapper).loadAll().records().values()
                .stream().map(SandboxRecord::cgroupParent).filter(p -> !p.isEmpty())
                .forEach(p -> parents.add(driver.parentRelative(p)));
        parents.add(driver.parentRelative(driver.defaultParent()));
        return List.copyOf(parents);
    }

    /** Namespace pins, shm, staging and root filesystem mounts: deepest first, the directory itself kept. */
    private void unmountBelow(Path dir) {
        Path top = dir.toAbsolutePath().normalize();
        // A point can hold stacked mounts (the pin directory is bound onto itself): repeat until none is left.
        for (int round = 0; round < 8; round++) {
            List<Path> points = MountTable.current().under(top).stream().map(MountTable.Entry::mountPoint)
                    .filter(point -> !point.equals(top)).distinct()
                    .sorted(Comparator.comparingInt(Path::getNameCount).reversed()).toList();
            if (points.isEmpty()) {
                return;
            }
            for (Path point : points) {
                var result = Command.of("umount", point.toString()).run();
                if (!result.succeeded()) {
                    throw new CleanupException("cannot unmount " + point + ": " + result.stderrText().strip());
                }
                removed.accept("mount " + point);
            }
        }
        throw new CleanupException("mounts keep reappearing under " + top);
    }

    private void removeNetwork() {
        PodNetworkConfig network = ModuleConfigs.network(config);
        if (network.mode() == NetworkMode.PLUGIN) {
            return;
        }
        if (Files.isDirectory(Path.of("/sys/class/net", network.bridgeName()))) {
            Command.of("ip", "link", "del", network.bridgeName()).check();
            removed.accept("bridge " + network.bridgeName());
        }
        if (Command.of("nft", "list", "table", "inet", network.nftTable()).run().succeeded()) {
            Command.of("nft", "delete", "table", "inet", network.nftTable()).check();
            removed.accept("nftables table inet " + network.nftTable());
        }
    }

    /**
     * berth's own cgroups below each parent (named {@code berth-…}), then the parent itself, in every hierarchy;
     * rmdir takes only empty cgroups, so another daemon's busy ones or a kubelet's non-empty parent stay.
     */
    private void removeCgroups(List<String> parents) {
        CgroupLayout layout = CgroupLayout.detect();
        for (String parent : parents) {
            for (Path dir : layout.allDirectories(parent)) {
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, "berth-*")) {
                    for (Path child : children) {
                        if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                            rmdirCgroup(child);
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                rmdirCgroup(dir);
            }
        }
    }

    private void rmdirCgroup(Path cgroup) {
        try {
            Files.delete(cgroup);
            removed.accept("cgroup " + cgroup);
        } catch (IOException e) {
            // Not empty or still holding processes: not ours to force.
        }
    }

    private void removeFiles(StateLayout layout) {
        if (Files.exists(layout.stateDir(), LinkOption.NOFOLLOW_LINKS)) {
            Trees.deleteRecursively(layout.stateDir());
            removed.accept("runtime state " + layout.stateDir());
        }
        Path root = layout.rootDir();
        if (removeImages) {
            if (Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
                Trees.deleteRecursively(root);
                removed.accept("storage root " + root + " (images included)");
            }
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!IMAGE_DIRS.contains(name) && !name.equals("berth.lock")) {
                    Trees.deleteRecursively(entry);
                    removed.accept("runtime records " + entry);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path containerRootfs = root.resolve("overlay2").resolve("containers");
        if (Files.exists(containerRootfs, LinkOption.NOFOLLOW_LINKS)) {
            Trees.deleteRecursively(containerRootfs);
            removed.accept("container root filesystems " + containerRootfs);
        }
        // Removed root filesystems whose deletion the daemon had not finished.
        Path rootfsTrash = root.resolve("overlay2").resolve("trash");
        if (Files.exists(rootfsTrash, LinkOption.NOFOLLOW_LINKS)) {
            Trees.deleteRecursively(rootfsTrash);
            removed.accept("removed root filesystems " + rootfsTrash);
        }
    }

    private void removeSocket() {
        Path socket = Path.of(config.server().socket());
        if (deleteQuietly(socket)) {
            removed.accept("socket " + socket);
        }
    }

    private static boolean deleteQuietly(Path file) {
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            return false;
        }
    }
}
