package dev.berth.image;

import dev.berth.common.error.BerthException;
import dev.berth.common.time.EpochNanos;
import dev.berth.image.layer.LayerInfo;
import dev.berth.image.layer.LayerStore;
import dev.berth.image.pull.ImagePuller;
import dev.berth.image.pull.PullCancellation;
import dev.berth.image.pull.PulledImage;
import dev.berth.image.reference.ImageReference;
import dev.berth.image.store.BlobStore;
import dev.berth.image.store.GarbageCollector;
import dev.berth.image.store.IdMap;
import dev.berth.image.store.ImageCatalog;
import dev.berth.image.store.StoredImage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The image side of berth: pulls images from OCI registries into a Docker-overlay2-style store under the root
 * directory, answers which images exist, removes them, and mounts container root filesystems from their layers.
 *
 * <ul>
 *   <li>An image's ID is its config digest ({@code sha256:…}); {@link #pull} returns it and every lookup accepts it,
 *       a unique prefix of it, or any of its tags or repo digests.</li>
 *   <li>Layers are unpacked once per chain ID and shared by every image and container rootfs that uses them;
 *       a layer stays while any image, rootfs or pull in progress uses it.</li>
 *   <li>Errors are {@link BerthException}s: INVALID_ARGUMENT (bad reference), NOT_FOUND (no such image or tag in
 *       the registry), FAILED_PRECONDITION (unauthorized, unusable or corrupt image), UNAVAILABLE (registry
 *       unreachable), DEADLINE_EXCEEDED / CANCELLED (deadline passed, no progress), INTERNAL (local failures).</li>
 * </ul>
 * {@link ImageAssembly} builds it and owns its threads. Thread-safe; one instance per root directory.
 */
public final class ImageStore {

    private static final Logger log = LoggerFactory.getLogger(ImageStore.class);

    private final ImageCatalog catalog;
    private final BlobStore blobs;
    private final LayerStore layers;
    private final GarbageCollector gc;
    private final ImagePuller puller;
    private final RootfsMounts mounts;
    private final ImageRecords records;
    private final PullObserver observer;

    ImageStore(ImageCatalog catalog, BlobStore blobs, LayerStore layers, GarbageCollector gc, ImagePuller puller,
               RootfsMounts mounts, ImageRecords records, PullObserver observer) {
        this.catalog = catalog;
        this.blobs = blobs;
        this.layers = layers;
        this.gc = gc;
        this.puller = puller;
        this.mounts = mounts;
        this.records = records;
        this.observer = observer;
    }

    /**
     * Pulls an image and returns its record; its {@code id} is what CRI's {@code image_ref} must be.
     *
     * @param reference   as the kubelet sends it ({@code busybox}, {@code host:5000/a/b:tag}, {@code name@sha256:…})
     * @param credentials the pull's credentials ({@link RegistryCredentials#anonymous()} for none)
     * @param deadline    the caller's deadline; when it passes the pull stops with DEADLINE_EXCEEDED and leaves
     *                    no partial image behind (verified layers it completed are kept for the next try)
     */
    public ImageRecord pull(String reference, RegistryCredentials credentials, Instant deadline) {
        return pull(reference, credentials, deadline, PullCancellation.none());
    }

    /**
     * As {@link #pull(String, RegistryCredentials, Instant)}, and stopped with CANCELLED when {@code cancellation}
     * is called off first; what a cancelled pull leaves is what a pull past its deadline leaves.
     */
    public ImageRecord pull(String reference, RegistryCredentials credentials, Instant deadline,
                            PullCancellation cancellation) {
        ImageReference ref = ImageReference.parse(reference);
        long started = System.nanoTime();
        log.info("event=pull_started ref={}", ref);
        PulledImage pulled;
        try {
            pulled = pullContent(ref, credentials, deadline, cancellation);
        } catch (BerthException failure) {
            BerthException e = failure;
            if (e.kind() == BerthException.Kind.DEADLINE_EXCEEDED || e.kind() == BerthException.Kind.CANCELLED) {
                e = new BerthException(e.kind(), "pull of " + ref + " stopped: " + e.getMessage(), failure);
            }
            log.info("event=pull_failed ref={} kind={} error=\"{}\"", ref, e.kind(), e.getMessage());
            if (!isTransient(e)) {
                // Trying again will not help, so verified layers this pull completed are not worth keeping.
                try {
                    gc.collect();
                } catch (RuntimeException gcFailure) {
                    log.warn("event=gc_failed error=\"{}\"", gcFailure.getMessage());
                }
            }
            throw e;
        }
        StoredImage stored;
        try {
            stored = catalog.add(pulled.image());
        } finally {
            pulled.lease().close(); // the record now holds the content
        }
        observer.contentPulled(pulled.bytesFetched(), pulled.bytesReused());
        double seconds = Math.max((System.nanoTime() - started) / 1e9, 1e-6);
        log.info("event=pull_done ref={} id={} layers={} layers_reused={} bytes={} seconds={} mb_per_s={}", ref,
                stored.id(), stored.chainIds().size(), pulled.layersReused(), pulled.bytesFetched(),
                String.format("%.2f", seconds), String.format("%.1f", pulled.bytesFetched() / 1e6 / seconds));
        return records.of(stored);
    }

    private PulledImage pullContent(ImageReference ref, RegistryCredentials credentials, Instant deadline,
                                    PullCancellation cancellation) {
        try {
            return puller.pull(ref, credentials, deadline, cancellation);
        } catch (BerthException e) {
            throw e;
        } catch (RuntimeException e) {
            throw BerthException.internal("pull of " + ref + " failed: " + e, e);
        }
    }

    /**
     * Deadlines, lost progress and unreachable registries are worth another try: the kubelet retries, and the
     * verified layers this pull finished make the next attempt shorter.
     */
    private static boolean isTransient(BerthException e) {
        return switch (e.kind()) {
            case DEADLINE_EXCEEDED, CANCELLED, UNAVAILABLE, RESOURCE_EXHAUSTED -> true;
            default -> false;
        };
    }

    /** Finds an image by ID, unique ID prefix (with or without {@code sha256:}), tag or repo digest. */
    public Optional<ImageRecord> find(String refIdOrPrefix) {
        return catalog.resolve(refIdOrPrefix).map(records::of);
    }

    public List<ImageRecord> list() {
        return catalog.all().stream().map(records::of).toList();
    }

    /** Images matching a CRI image filter: all when the filter is empty, else the one it names (if any). */
    public List<ImageRecord> list(String filter) {
        if (filter == null || filter.isBlank()) {
            return list();
        }
        return find(filter).map(List::of).orElse(List.of());
    }

    /**
     * Removes the image a reference names, with every tag and repo digest. Already gone is fine. Layers a container
     * rootfs uses stay until that rootfs is unmounted.
     */
    public void remove(String refIdOrPrefix) {
        Optional<StoredImage> image = catalog.resolve(refIdOrPrefix);
        if (image.isEmpty()) {
            return;
        }
        if (catalog.remove(image.get().id()).isPresent()) {
            log.info("event=image_removed id={} tags={}", image.get().id(), image.get().repoTags());
        }
        gc.collect();
    }

    /** Usage of the file system holding the layers, from sizes recorded when layers and blobs were stored. */
    public FsUsage fsUsage() {
        long bytes = blobs.totalBytes();
        long inodes = blobs.count();
        for (LayerInfo layer : layers.all()) {
            bytes += layer.diskBytes();
            inodes += layer.inodes();
        }
        return new FsUsage(EpochNanos.now(), layers.dir(), bytes, inodes);
    }

    /**
     * Creates and mounts a container's root filesystem from an image (by ID or any name). Idempotent for the same
     * container and image; another image for an existing container is ALREADY_EXISTS.
     */
    public Rootfs mountRootfs(String containerId, String imageIdOrRef) {
        return mountRootfs(containerId, imageIdOrRef, null);
    }

    /**
     * As {@link #mountRootfs(String, String)}, for a container in a pod's own user namespace when {@code idMap} is
     * given: the overlay's lower dirs are idmapped views of the layers and the writable layer belongs to the pod's
     * root. The layers themselves are neither copied nor changed.
     */
    public Rootfs mountRootfs(String containerId, String imageIdOrRef, IdMap idMap) {
        return mounts.mountRootfs(containerId, imageIdOrRef, idMap);
    }

    /** Whether idmapped layer views work on this host for the user namespace pinned at {@code userns}. */
    public boolean idmappedLayersWork(Path userns, long expectedRootUid) {
        return mounts.idmappedLayersWork(userns, expectedRootUid);
    }

    /**
     * Mounts an image's filesystem read-only for one of a container's image volumes: an overlay of its layers with
     * no upper dir (nothing copied). The volume holds its layers like a rootfs does, so removing the image keeps
     * them until {@link #unmountImageVolumes} of that container. Idempotent for the same volume and image.
     *
     * @param index the mount's position in the container's config, which tells a container's volumes apart
     */
    public Rootfs mountImageVolume(String containerId, int index, String imageIdOrRef) {
        return mounts.mountImageVolume(containerId, index, imageIdOrRef);
    }

    /** Unmounts every image volume of a container; none is fine. */
    public void unmountImageVolumes(String containerId) {
        mounts.unmountImageVolumes(containerId);
    }

    /**
     * Unmounts a container's rootfs and image volumes and keeps its writable layer, for a container that has exited:
     * its processes no longer use the mounts, and its removal later only deletes. Nothing mounted is fine.
     */
    public void unmountExited(String containerId) {
        mounts.unmountKeepingLayers(containerId);
    }

    /** Unmounts and deletes a container's rootfs; nothing to do is fine. */
    public void unmountRootfs(String containerId) {
        mounts.unmountRootfs(containerId);
    }

    /** Disk bytes and inodes the container has written (its overlay upper dir). */
    public LayerUsage writableLayerUsage(String containerId) {
        return mounts.writableLayerUsage(containerId);
    }

    /** The rootfs of a container, if it has one. */
    public Optional<Rootfs> rootfs(String containerId) {
        return mounts.rootfs(containerId);
    }
}
