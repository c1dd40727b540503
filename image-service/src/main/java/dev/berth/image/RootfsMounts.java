package dev.berth.image;

import dev.berth.common.error.BerthException;
import dev.berth.common.time.EpochNanos;
import dev.berth.image.layer.DiskUsage;
import dev.berth.image.layer.LayerStore;
import dev.berth.image.store.GarbageCollector;
import dev.berth.image.store.IdMap;
import dev.berth.image.store.ImageCatalog;
import dev.berth.image.store.Leases;
import dev.berth.image.store.RootfsStore;
import dev.berth.image.store.StoredImage;
import dev.berth.image.store.StoredRootfs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Containers' root filesystems and image volumes: overlay mounts of an image's layers that hold those layers until
 * they are unmounted.
 */
final class RootfsMounts {

    private static final Logger log = LoggerFactory.getLogger(RootfsMounts.class);
    /** Infix of an image volume's rootfs ID: {@code <container-id>.image-<index>}. */
    private static final String IMAGE_VOLUME = ".image-";

    private final ImageCatalog catalog;
    private final LayerStore layers;
    private final RootfsStore rootfs;
    private final Leases leases;
    private final GarbageCollector gc;
    private final DiskUsage diskUsage;
    private final Object lock = new Object();

    RootfsMounts(ImageCatalog catalog, LayerStore layers, RootfsStore rootfs, Leases leases, GarbageCollector gc,
                 DiskUsage diskUsage) {
        this.catalog = catalog;
        this.layers = layers;
        this.rootfs = rootfs;
        this.leases = leases;
        this.gc = gc;
        this.diskUsage = diskUsage;
    }

    Rootfs mountRootfs(String containerId, String imageIdOrRef, IdMap idMap) {
        RootfsStore.checkContainerId(containerId);
        synchronized (lock) {
            Optional<StoredRootfs> existing = rootfs.get(containerId);
            if (existing.isPresent()) {
                Optional<StoredImage> asked = catalog.resolve(imageIdOrRef);
                if (asked.isPresent() && !asked.get().id().equals(existing.get().imageId())) {
                    throw BerthException.alreadyExists("container " + containerId + " already has a rootfs from image "
                            + existing.get().imageId());
                }
                rootfs.ensureMounted(existing.get());
                return view(existing.get());
            }
            StoredImage image = catalog.resolve(imageIdOrRef)
                    .orElseThrow(() -> BerthException.notFound("image \"" + imageIdOrRef + "\" not found"));
            try (Leases.Lease lease = leases.open()) {
                image.layerIds().forEach(lease::addLayer);
                for (String layer : image.layerIds()) {
                    if (!layers.contains(layer)) {
                        throw BerthException.failedPrecondition("layer " + layer + " of image " + image.id()
                                + " is missing; pull the image again");
                    }
                }
                StoredRootfs created = rootfs.create(new StoredRootfs(containerId, image.id(), image.layerIds(),
                        image.config(), System.currentTimeMillis(), false, idMap));
                log.info("event=rootfs_mounted container={} image={} layers={} idmapped={}", containerId,
                        image.id(), image.layerIds().size(), idMap != null);
                return view(created);
            }
        }
    }

    boolean idmappedLayersWork(Path userns, long expectedRootUid) {
        return rootfs.idmappedViewsWork(userns, expectedRootUid);
    }

    Rootfs mountImageVolume(String containerId, int index, String imageIdOrRef) {
        RootfsStore.checkContainerId(containerId);
        String volumeId = containerId + IMAGE_VOLUME + index;
        synchronized (lock) {
            Optional<StoredRootfs> existing = rootfs.get(volumeId);
            if (existing.isPresent()) {
                rootfs.ensureMounted(existing.get());
                return view(existing.get());
            }
            StoredImage image = catalog.resolve(imageIdOrRef).orElseThrow(() -> BerthException.notFound(
                    "image \"" + imageIdOrRef + "\" of an image volume is not on this node; pull it first"));
            try (Leases.Lease lease = leases.open()) {
                image.layerIds().forEach(lease::addLayer);
                for (String layer : image.layerIds()) {
                    if (!layers.contains(layer)) {
                        throw BerthException.failedPrecondition("layer " + layer + " of image " + image.id()
                                + " is missing; pull the image again");
                    }
                }
                StoredRootfs created = rootfs.create(new StoredRootfs(volumeId, image.id(), image.layerIds(),
                        image.config(), System.currentTimeMillis(), true));
                log.info("event=image_volume_mounted container={} index={} image={} layers={}", containerId, index,
                        image.id(), image.layerIds().size());
                return view(created);
            }
        }
    }

    void unmountImageVolumes(String containerId) {
        RootfsStore.checkContainerId(containerId);
        imageVolumeIds(containerId).forEach(this::unmountRootfs);
    }

    /** The rootfs IDs of a container's image volumes. */
    private List<String> imageVolumeIds(String containerId) {
        return rootfs.all().stream().map(StoredRootfs::containerId)
                .filter(id -> id.startsWith(containerId + IMAGE_VOLUME)).toList();
    }

    /** Unmounts a container's rootfs and image volumes; their writable layers and records stay. */
    void unmountKeepingLayers(String containerId) {
        RootfsStore.checkContainerId(containerId);
        synchronized (lock) {
            imageVolumeIds(containerId).forEach(rootfs::unmount);
            if (rootfs.get(containerId).isPresent()) {
                rootfs.unmount(containerId);
            }
        }
    }

    void unmountRootfs(String containerId) {
        RootfsStore.checkContainerId(containerId);
        List<String> layerIds = rootfs.get(containerId).map(StoredRootfs::layerIds).orElse(List.of());
        boolean removed;
        synchronized (lock) {
            removed = rootfs.remove(containerId);
        }
        if (removed) {
            log.info("event=rootfs_removed container={}", containerId);
            // Only a rootfs that outlived its image's removal frees layers. Otherwise nothing is freed, and a full pass
            // (blob listing under the exclusive lease, which holds off mounts and pulls) is skipped.
            if (!referencedByImages(layerIds)) {
                gc.collect();
            }
        }
    }

    private boolean referencedByImages(List<String> layerIds) {
        Set<String> referenced = new HashSet<>();
        catalog.all().forEach(image -> referenced.addAll(image.layerIds()));
        return referenced.containsAll(layerIds);
    }

    LayerUsage writableLayerUsage(String containerId) {
        RootfsStore.checkContainerId(containerId);
        if (rootfs.get(containerId).isEmpty()) {
            throw BerthException.notFound("container " + containerId + " has no rootfs");
        }
        Path upper = rootfs.upper(containerId);
        try {
            DiskUsage.Usage usage = diskUsage.measure(upper);
            return new LayerUsage(EpochNanos.now(), upper, usage.bytes(), usage.inodes());
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.INTERNAL, "cannot measure " + upper, e);
        }
    }

    Optional<Rootfs> rootfs(String containerId) {
        RootfsStore.checkContainerId(containerId);
        return rootfs.get(containerId).map(this::view);
    }

    private Rootfs view(StoredRootfs stored) {
        return new Rootfs(stored.containerId(), stored.imageId(), rootfs.merged(stored.containerId()),
                stored.config());
    }
}
