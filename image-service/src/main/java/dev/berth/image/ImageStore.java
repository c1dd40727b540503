package dev.berth.image;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.error.BerthException;
import dev.berth.common.time.EpochNanos;
import dev.berth.image.content.Digest;
import dev.berth.image.layer.DiskUsage;
import dev.berth.image.layer.FreeSpace;
import dev.berth.image.layer.LayerInfo;
import dev.berth.image.layer.LayerStore;
import dev.berth.image.layer.NativeFs;
import dev.berth.image.layer.TarUnpacker;
import dev.berth.image.pull.ImagePuller;
import dev.berth.image.pull.LayerFetcher;
import dev.berth.image.pull.PullCancellation;
import dev.berth.image.pull.PulledImage;
import dev.berth.image.pull.SingleFlight;
import dev.berth.image.reference.ImageReference;
import dev.berth.image.registry.RegistryClient;
import dev.berth.image.registry.RegistryHosts;
import dev.berth.image.registry.RetryPolicy;
import dev.berth.image.store.BlobStore;
import dev.berth.image.store.GarbageCollector;
import dev.berth.image.store.ImageCatalog;
import dev.berth.image.store.Leases;
import dev.berth.image.store.OverlayMounter;
import dev.berth.image.store.IdMap;
import dev.berth.image.store.RootfsStore;
import dev.berth.image.store.StoredImage;
import dev.berth.image.store.StoredRootfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 *   <li>{@link #open} recovers: it removes whatever an interrupted pull or rootfs creation left and remounts
 *       recorded container rootfs that are not mounted.</li>
 * </ul>
 * Thread-safe; one instance per root directory.
 */
public final class ImageStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ImageStore.class);
    private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);
    /** Infix of an image volume's rootfs ID: {@code <container-id>.image-<index>}. */
    private static final String IMAGE_VOLUME = ".image-";

    private final ImageStoreConfig config;
    private final ImageCatalog catalog;
    private final BlobStore blobs;
    private final LayerStore layers;
    private final RootfsStore rootfs;
    private final Leases leases;
    private final GarbageCollector gc;
    private final ImagePuller puller;
    private final DiskUsage diskUsage;
    private final Set<String> pinnedIds;
    private final Set<String> pinnedNames;
    private final ExecutorService layerExecutor;
    private final ExecutorService configExecutor;
    private final ScheduledExecutorService scheduler;
    private final SingleFlight<byte[]> configFlights;
    private final SingleFlight<LayerInfo> layerFlights;
    private final Object rootfsLock = new Object();
    private final PullObserver observer;

    private ImageStore(ImageStoreConfig config, PullObserver observer) {
        this.config = config;
        this.observer = observer;
        ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        NativeFs fs = NativeFs.load();
        Path root = config.root();
        Path overlay = root.resolve("overlay2");
        this.blobs = new BlobStore(root.resolve("images").resolve("blobs"));
        this.catalog = new ImageCatalog(root.resolve("images").resolve("records"), json);
        this.layers = new LayerStore(overlay, fs, json, true);
        this.rootfs = new RootfsStore(layers, new OverlayMounter(overlay, MOUNT_TIMEOUT), json);
        this.leases = new Leases();
        this.gc = new GarbageCollector(catalog, rootfs, layers, blobs, leases);
        this.diskUsage = new DiskUsage(fs);
        this.layerExecutor = Executors.newFixedThreadPool(config.pullParallelism(), threads("berth-layer-pull"));
        this.configExecutor = Executors.newCachedThreadPool(threads("berth-config-pull"));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(threads("berth-pull-watchdog"));
        RetryPolicy retry = RetryPolicy.defaults();
        RegistryClient registry = RegistryClient.create(new RegistryHosts(config.registries()), json,
                config.progressTimeout(), retry);
        FreeSpace space = FreeSpace.of(overlay, config.layerLimits().minFreeBytes());
        LayerFetcher fetcher = new LayerFetcher(registry, layers, new TarUnpacker(fs), diskUsage, retry,
                config.layerLimits().maxUnpackedBytes(), space);
        this.configFlights = new SingleFlight<>(configExecutor, scheduler, config.progressTimeout());
        this.layerFlights = new SingleFlight<>(layerExecutor, scheduler, config.progressTimeout());
        this.puller = new ImagePuller(registry, json, config.platform(), blobs, layers, leases, fetcher,
                configFlights, layerFlights, scheduler, config.progressTimeout(), space);
        this.pinnedIds = new HashSet<>();
        this.pinnedNames = new HashSet<>();
        for (String pinned : config.pinnedImages()) {
            pinName(pinned);
        }
    }

    /** Opens (creating if needed) the store under {@code config.root()} and recovers from any interruption. */
    public static ImageStore open(ImageStoreConfig config) {
        return open(config, PullObserver.NONE);
    }

    /** Like {@link #open(ImageStoreConfig)}, reporting what pulls fetched to {@code observer}. */
    public static ImageStore open(ImageStoreConfig config, PullObserver observer) {
        if (!"UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"))) {
            log.warn("event=non_utf8_file_names encoding={} hint=\"run with a UTF-8 locale (LANG=C.UTF-8)\"",
                    System.getProperty("sun.jnu.encoding"));
        }
        ImageStore store = new ImageStore(config, observer);
        try {
            store.recover();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    private void recover() {
        long started = System.nanoTime();
        try {
            Files.createDirectories(config.root().resolve("images"));
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.INTERNAL, "cannot create " + config.root(), e);
        }
        blobs.recover();
        layers.recover();
        catalog.load(this::intact);
        rootfs.recover();
        GarbageCollector.Result collected = gc.collect();
        log.info("event=image_store_opened root={} images={} layers={} rootfs={} gc_layers={} gc_blobs={} ms={}",
                config.root(), catalog.all().size(), layers.all().size(), rootfs.all().size(), collected.layers(),
                collected.blobs(), (System.nanoTime() - started) / 1_000_000);
    }

    private boolean intact(StoredImage image) {
        return image.layerIds().stream().allMatch(layers::contains)
                && Digest.tryParse(image.configDigest()).map(blobs::contains).orElse(false);
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
        return record(stored);
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
        return catalog.resolve(refIdOrPrefix).map(this::record);
    }

    public List<ImageRecord> list() {
        return catalog.all().stream().map(this::record).toList();
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
        RootfsStore.checkContainerId(containerId);
        synchronized (rootfsLock) {
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

    /** Whether idmapped layer views work on this host for the user namespace pinned at {@code userns}. */
    public boolean idmappedLayersWork(java.nio.file.Path userns, long expectedRootUid) {
        return rootfs.idmappedViewsWork(userns, expectedRootUid);
    }

    /**
     * Mounts an image's filesystem read-only for one of a container's image volumes: an overlay of its layers with
     * no upper dir (nothing copied). The volume holds its layers like a rootfs does, so removing the image keeps
     * them until {@link #unmountImageVolumes} of that container. Idempotent for the same volume and image.
     *
     * @param index the mount's position in the container's config, which tells a container's volumes apart
     */
    public Rootfs mountImageVolume(String containerId, int index, String imageIdOrRef) {
        RootfsStore.checkContainerId(containerId);
        String volumeId = containerId + IMAGE_VOLUME + index;
        synchronized (rootfsLock) {
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

    /** Unmounts every image volume of a container; none is fine. */
    public void unmountImageVolumes(String containerId) {
        RootfsStore.checkContainerId(containerId);
        for (StoredRootfs volume : rootfs.all()) {
            if (volume.containerId().startsWith(containerId + IMAGE_VOLUME)) {
                unmountRootfs(volume.containerId());
            }
        }
    }

    /** Unmounts and deletes a container's rootfs; nothing to do is fine. */
    public void unmountRootfs(String containerId) {
        RootfsStore.checkContainerId(containerId);
        List<String> layerIds = rootfs.get(containerId).map(StoredRootfs::layerIds).orElse(List.of());
        boolean removed;
        synchronized (rootfsLock) {
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

    /** Disk bytes and inodes the container has written (its overlay upper dir). */
    public LayerUsage writableLayerUsage(String containerId) {
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

    /** The rootfs of a container, if it has one. */
    public Optional<Rootfs> rootfs(String containerId) {
        RootfsStore.checkContainerId(containerId);
        return rootfs.get(containerId).map(this::view);
    }

    /** Stops pulls in progress (they fail with CANCELLED and clean up after themselves); mounts stay. */
    @Override
    public void close() {
        configFlights.cancelAll("image store closing");
        layerFlights.cancelAll("image store closing");
        layerExecutor.shutdown();
        configExecutor.shutdown();
        try {
            if (!layerExecutor.awaitTermination(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                layerExecutor.shutdownNow();
            }
            if (!configExecutor.awaitTermination(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                configExecutor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler.shutdownNow();
    }

    private Rootfs view(StoredRootfs stored) {
        return new Rootfs(stored.containerId(), stored.imageId(), rootfs.merged(stored.containerId()),
                stored.config());
    }

    private ImageRecord record(StoredImage image) {
        String user = image.config().user();
        String name = user.isEmpty() ? "" : user.split(":", 2)[0];
        OptionalLong uid = OptionalLong.empty();
        Optional<String> username = Optional.empty();
        if (!name.isEmpty()) {
            if (name.chars().allMatch(Character::isDigit) && name.length() <= 18) {
                uid = OptionalLong.of(Long.parseLong(name));
            } else {
                username = Optional.of(name);
            }
        }
        return new ImageRecord(image.id(), image.repoTags(), image.repoDigests(), image.size(), image.config(), uid,
                username, isPinned(image), image.manifestDigest(), image.mediaType(), image.diffIds(),
                image.chainIds(), Instant.ofEpochMilli(image.createdAtMillis()));
    }

    private boolean isPinned(StoredImage image) {
        return pinnedIds.contains(image.id()) || image.repoTags().stream().anyMatch(pinnedNames::contains)
                || image.repoDigests().stream().anyMatch(pinnedNames::contains);
    }

    private void pinName(String pinned) {
        String s = pinned.strip();
        String hex = s.startsWith("sha256:") ? s.substring(7) : s;
        if (hex.matches("[0-9a-f]{64}")) {
            pinnedIds.add("sha256:" + hex);
            return;
        }
        ImageReference ref = ImageReference.parse(s);
        ref.repoTag().ifPresent(pinnedNames::add);
        ref.digest().ifPresent(d -> pinnedNames.add(ref.repoDigest(d)));
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
