package dev.berth.image.store;

import dev.berth.common.fs.MountTable;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.error.BerthException;
import dev.berth.common.fs.AtomicFiles;
import dev.berth.common.fs.Trash;
import dev.berth.common.fs.Trees;
import dev.berth.image.layer.LayerStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Container root filesystems:
 * <pre>
 * overlay2/containers/&lt;container-id&gt;/rootfs.json  the record (image, layers, config)
 * overlay2/containers/&lt;container-id&gt;/diff         overlay upper dir: what the container writes
 * overlay2/containers/&lt;container-id&gt;/work         overlay work dir
 * overlay2/containers/&lt;container-id&gt;/merged       the mount point, the container's root
 * </pre>
 * The record is written before the mount, so after a crash a recorded rootfs is mounted again and an unrecorded
 * directory is removed. Mounts outlive the daemon. A removed rootfs goes to the trash, which deletes its files in
 * the background.
 */
public final class RootfsStore {

    private static final Logger log = LoggerFactory.getLogger(RootfsStore.class);
    public static final String CONTAINERS_DIR = "containers";
    private static final Pattern CONTAINER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final String RECORD = "rootfs.json";
    /** Idmapped views of the layers, for a container in its pod's user namespace. */
    private static final String VIEWS = "m";

    private final Path overlayDir;
    private final Path containersDir;
    private final LayerStore layers;
    private final OverlayMounter mounter;
    private final ObjectMapper json;
    private final Trash trash;
    private final Map<String, StoredRootfs> rootfs = new ConcurrentHashMap<>();

    /** @param trash on the file system of {@code layers.dir()}: a removed rootfs is renamed into it */
    public RootfsStore(LayerStore layers, OverlayMounter mounter, ObjectMapper json, Trash trash) {
        this.overlayDir = layers.dir();
        this.containersDir = overlayDir.resolve(CONTAINERS_DIR);
        this.layers = layers;
        this.mounter = mounter;
        this.json = json;
        this.trash = trash;
    }

    public static void checkContainerId(String containerId) {
        if (containerId == null || !CONTAINER_ID.matcher(containerId).matches()) {
            throw BerthException.invalidArgument("invalid container ID \"" + containerId + "\"");
        }
    }

    /** Loads records, mounts recorded rootfs that are not mounted (after a reboot), removes unrecorded dirs. */
    public void recover() {
        try {
            Files.createDirectories(containersDir);
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(containersDir)) {
                for (Path dir : dirs) {
                    recoverOne(dir);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot recover container rootfs in " + containersDir, e);
        }
    }

    private void recoverOne(Path dir) {
        String id = dir.getFileName().toString();
        StoredRootfs record = null;
        try {
            record = json.readValue(dir.resolve(RECORD).toFile(), StoredRootfs.class);
        } catch (IOException e) {
            // no record: creation never finished
        }
        if (record == null || !record.containerId().equals(id)) {
            log.info("event=rootfs_leftover_removed container={}", id);
            unmountAll(dir);
            Trees.deleteRecursively(dir);
            return;
        }
        rootfs.put(id, record);
        if (!MountTable.current().isMountPoint(merged(id))) {
            try {
                mount(record);
                log.info("event=rootfs_remounted container={}", id);
            } catch (BerthException e) {
                log.error("event=rootfs_remount_failed container={} error=\"{}\"", id, e.getMessage());
            }
        }
    }

    public Optional<StoredRootfs> get(String containerId) {
        return Optional.ofNullable(rootfs.get(containerId));
    }

    public List<StoredRootfs> all() {
        return List.copyOf(rootfs.values());
    }

    /** Layer IDs any container rootfs uses. */
    public Set<String> layersInUse() {
        Set<String> out = new HashSet<>();
        rootfs.values().forEach(r -> out.addAll(r.layerIds()));
        return out;
    }

    public Path merged(String containerId) {
        return dir(containerId).resolve("merged");
    }

    public Path upper(String containerId) {
        return dir(containerId).resolve("diff");
    }

    /** Creates and mounts a rootfs; the caller makes sure the layers exist and stay. */
    public StoredRootfs create(StoredRootfs record) {
        String id = record.containerId();
        Path dir = dir(id);
        unmountAll(dir);
        Trees.deleteRecursively(dir);
        try {
            if (record.readOnly()) {
                Files.createDirectories(dir.resolve("empty"));
            } else {
                Files.createDirectories(dir.resolve("diff"));
                Files.createDirectories(dir.resolve("work"));
                if (record.idMap() != null) {
                    // The new, empty writable layer belongs to the pod's root (never the image's layers).
                    Files.setAttribute(dir.resolve("diff"), "unix:uid", (int) record.idMap().rootUid());
                    Files.setAttribute(dir.resolve("diff"), "unix:gid", (int) record.idMap().rootGid());
                }
            }
            Files.createDirectories(dir.resolve("merged"));
            // This boot's mount: a record lost to a host crash reads as "never finished" (the mount is gone too).
            AtomicFiles.replace(dir.resolve(RECORD), json.writeValueAsBytes(record));
        } catch (IOException | UncheckedIOException e) {
            Trees.deleteRecursively(dir);
            throw new BerthException(BerthException.Kind.INTERNAL, "cannot create rootfs of " + id, e);
        }
        rootfs.put(id, record);
        try {
            mount(record);
        } catch (BerthException e) {
            rootfs.remove(id);
            unmountAll(dir);
            Trees.deleteRecursively(dir);
            throw e;
        }
        return record;
    }

    /** Makes sure a recorded rootfs is mounted. */
    public void ensureMounted(StoredRootfs record) {
        if (!MountTable.current().isMountPoint(merged(record.containerId()))) {
            mount(record);
        }
    }

    /**
     * Unmounts a rootfs and keeps its writable layer and record, for a container whose processes are gone; a later
     * {@link #remove} deletes it, a restart mounts it again. Not mounted is fine.
     */
    public void unmount(String containerId) {
        unmountAll(dir(containerId));
    }

    /** Unmounts and deletes a rootfs (its files in the background); false when there was none. */
    public boolean remove(String containerId) {
        Path dir = dir(containerId);
        boolean known = rootfs.containsKey(containerId) || Files.exists(dir);
        unmountAll(dir);
        try {
            Files.deleteIfExists(dir.resolve(RECORD));
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.INTERNAL, "cannot remove rootfs record of " + containerId, e);
        }
        rootfs.remove(containerId);
        trash.discard(dir);
        return known;
    }

    private void mount(StoredRootfs record) {
        String id = record.containerId();
        for (String layer : record.layerIds()) {
            if (!layers.contains(layer)) {
                throw new BerthException(BerthException.Kind.INTERNAL, "layer " + layer + " of container " + id
                        + " is missing");
            }
        }
        Path base = Path.of(CONTAINERS_DIR, id);
        String lower;
        if (record.layerIds().isEmpty()) {
            // overlay needs a lower dir; an image without layers gets an empty one
            try {
                Files.createDirectories(dir(id).resolve("empty"));
            } catch (IOException e) {
                throw new BerthException(BerthException.Kind.INTERNAL, "cannot create rootfs of " + id, e);
            }
            lower = base.resolve("empty").toString();
        } else if (record.idMap() != null) {
            lower = idmappedLowerDirs(record, base);
        } else {
            lower = layers.lowerDirOption(record.layerIds());
        }
        if (record.readOnly()) {
            // Without an upper dir overlay wants two lower dirs at least: an empty one goes under the image's.
            mounter.mountReadOnly(lower + ":" + base.resolve("empty"), merged(id));
            return;
        }
        mounter.mount(lower, base.resolve("diff"), base.resolve("work"), merged(id));
    }

    /**
     * Mounts an idmapped view of each layer under {@code <dir>/m/<n>} (n = 0 for the top layer) and returns them as
     * the overlay's lower dirs, relative to {@code overlay2/} like the short links.
     */
    private String idmappedLowerDirs(StoredRootfs record, Path base) {
        Path views = dir(record.containerId()).resolve(VIEWS);
        IdmappedViews.unmountAll(views);
        List<String> layerIds = record.layerIds();
        List<String> lower = new ArrayList<>(layerIds.size());
        int fd = IdmappedViews.openUserns(Path.of(record.idMap().usernsPath()));
        try {
            for (int i = 0; i < layerIds.size(); i++) {
                String layer = layerIds.get(layerIds.size() - 1 - i);
                Path view = views.resolve(Integer.toString(i));
                Files.createDirectories(view);
                IdmappedViews.mount(layers.dir().resolve(layer).resolve("diff"), view, fd);
                lower.add(base.resolve(VIEWS).resolve(Integer.toString(i)).toString());
            }
        } catch (IOException e) {
            IdmappedViews.unmountAll(views);
            throw new BerthException(BerthException.Kind.INTERNAL, "cannot stage idmapped layers of "
                    + record.containerId(), e);
        } catch (RuntimeException e) {
            IdmappedViews.unmountAll(views);
            throw e;
        } finally {
            IdmappedViews.close(fd);
        }
        return String.join(":", lower);
    }

    /** Unmounts the overlay, then the idmapped layer views under it: nothing may stay mounted before a delete. */
    private void unmountAll(Path dir) {
        mounter.unmount(dir.resolve("merged"));
        IdmappedViews.unmountAll(dir.resolve(VIEWS));
    }

    /** Whether idmapped layer views work here for the user namespace pinned at {@code userns}. */
    public boolean idmappedViewsWork(Path userns, long expectedRootUid) {
        return IdmappedViews.works(userns, containersDir.getParent(), expectedRootUid);
    }

    private Path dir(String containerId) {
        checkContainerId(containerId);
        return containersDir.resolve(containerId);
    }
}
