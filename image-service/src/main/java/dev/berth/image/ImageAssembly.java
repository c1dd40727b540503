package dev.berth.image;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.error.BerthException;
import dev.berth.common.exec.DaemonThreads;
import dev.berth.common.fs.Trash;
import dev.berth.image.content.Digest;
import dev.berth.image.layer.DiskUsage;
import dev.berth.image.layer.FreeSpace;
import dev.berth.image.layer.LayerInfo;
import dev.berth.image.layer.LayerStore;
import dev.berth.image.layer.NativeFs;
import dev.berth.image.layer.TarUnpacker;
import dev.berth.image.pull.ImagePuller;
import dev.berth.image.pull.LayerFetcher;
import dev.berth.image.pull.SingleFlight;
import dev.berth.image.registry.RegistryClient;
import dev.berth.image.registry.RegistryHosts;
import dev.berth.image.registry.RetryPolicy;
import dev.berth.image.store.BlobStore;
import dev.berth.image.store.GarbageCollector;
import dev.berth.image.store.ImageCatalog;
import dev.berth.image.store.Leases;
import dev.berth.image.store.OverlayMounter;
import dev.berth.image.store.RootfsStore;
import dev.berth.image.store.StoredImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds image-service's object graph for one root directory, then runs the restart flow: whatever an interrupted
 * pull or rootfs creation left is removed and recorded container rootfs that are not mounted are mounted again.
 * It owns the pull threads and the rootfs trash's: {@link #close()} stops pulls in progress (they fail with CANCELLED
 * and clean up after themselves) and waits for removed rootfs to be deleted; mounts stay. One instance per root
 * directory.
 */
public final class ImageAssembly implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ImageAssembly.class);
    private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);

    private final ImageStoreConfig config;
    private final ExecutorService layerExecutor;
    private final ExecutorService configExecutor;
    private final ScheduledExecutorService scheduler;
    private final SingleFlight<byte[]> configFlights;
    private final SingleFlight<LayerInfo> layerFlights;
    private final BlobStore blobs;
    private final ImageCatalog catalog;
    private final LayerStore layers;
    private final RootfsStore rootfs;
    private final Trash rootfsTrash;
    private final GarbageCollector gc;
    private final ImageStore store;

    private ImageAssembly(ImageStoreConfig config, PullObserver observer) {
        this.config = config;
        // Before any thread starts: a bad pin fails the assembly with nothing to shut down.
        ImageRecords records = new ImageRecords(PinnedImages.of(config.pinnedImages()));
        ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        NativeFs fs = NativeFs.load();
        Path root = config.root();
        Path overlay = root.resolve("overlay2");
        this.blobs = new BlobStore(root.resolve("images").resolve("blobs"));
        this.catalog = new ImageCatalog(root.resolve("images").resolve("records"), json);
        this.layers = new LayerStore(overlay, fs, json, true);
        this.rootfsTrash = Trash.open(overlay.resolve("trash"), "berth-rootfs-trash");
        this.rootfs = new RootfsStore(layers, new OverlayMounter(overlay, MOUNT_TIMEOUT), json, rootfsTrash);
        Leases leases = new Leases();
        this.gc = new GarbageCollector(catalog, rootfs, layers, blobs, leases);
        DiskUsage diskUsage = new DiskUsage(fs);
        this.layerExecutor = Executors.newFixedThreadPool(config.pullParallelism(),
                DaemonThreads.numbered("berth-layer-pull"));
        this.configExecutor = Executors.newCachedThreadPool(DaemonThreads.numbered("berth-config-pull"));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                DaemonThreads.numbered("berth-pull-watchdog"));
        RetryPolicy retry = RetryPolicy.defaults();
        RegistryClient registry = RegistryClient.create(new RegistryHosts(config.registries()), json,
                config.progressTimeout(), retry);
        FreeSpace space = FreeSpace.of(overlay, config.layerLimits().minFreeBytes());
        LayerFetcher fetcher = new LayerFetcher(registry, layers, new TarUnpacker(fs), diskUsage, retry,
                config.layerLimits().maxUnpackedBytes(), space);
        this.configFlights = new SingleFlight<>(configExecutor, scheduler, config.progressTimeout());
        this.layerFlights = new SingleFlight<>(layerExecutor, scheduler, config.progressTimeout());
        ImagePuller puller = new ImagePuller(registry, json, config.platform(), blobs, layers, leases, fetcher,
                configFlights, layerFlights, scheduler, config.progressTimeout(), space);
        RootfsMounts mounts = new RootfsMounts(catalog, layers, rootfs, leases, gc, diskUsage);
        this.store = new ImageStore(catalog, blobs, layers, gc, puller, mounts, records, observer);
    }

    /** Opens (creating if needed) the store under {@code config.root()} and recovers from any interruption. */
    public static ImageAssembly open(ImageStoreConfig config) {
        return open(config, PullObserver.NONE);
    }

    /** Like {@link #open(ImageStoreConfig)}, reporting what pulls fetched to {@code observer}. */
    public static ImageAssembly open(ImageStoreConfig config, PullObserver observer) {
        if (!"UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"))) {
            log.warn("event=non_utf8_file_names encoding={} hint=\"run with a UTF-8 locale (LANG=C.UTF-8)\"",
                    System.getProperty("sun.jnu.encoding"));
        }
        ImageAssembly assembly = new ImageAssembly(config, observer);
        try {
            assembly.recover();
        } catch (RuntimeException e) {
            assembly.close();
            throw e;
        }
        return assembly;
    }

    /** The store's operations: pull, list, status, remove, rootfs and image volume mounts. */
    public ImageStore store() {
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
     * Stops pulls in progress (they fail with CANCELLED and clean up after themselves) and waits for removed rootfs
     * to be deleted; mounts stay.
     */
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
        rootfsTrash.close();
    }
}
