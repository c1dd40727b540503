package dev.berth.image.store;

import dev.berth.common.fs.Trees;
import dev.berth.image.content.Digest;
import dev.berth.image.layer.LayerInfo;
import dev.berth.image.layer.LayerStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Removes layers and blobs that no image, container rootfs or pull in progress uses. Marking and hiding happen
 * while no lease can be taken; deleting the hidden layer trees happens afterwards, without any lock.
 */
public final class GarbageCollector {

    private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);

    private final ImageCatalog catalog;
    private final RootfsStore rootfs;
    private final LayerStore layers;
    private final BlobStore blobs;
    private final Leases leases;

    public GarbageCollector(ImageCatalog catalog, RootfsStore rootfs, LayerStore layers, BlobStore blobs,
                            Leases leases) {
        this.catalog = catalog;
        this.rootfs = rootfs;
        this.layers = layers;
        this.blobs = blobs;
        this.leases = leases;
    }

    /** What one collection removed. */
    public record Result(int layers, int blobs) {
    }

    public Result collect() {
        List<Path> staged = new ArrayList<>();
        int removedBlobs = leases.exclusive(() -> {
            Set<String> liveLayers = new HashSet<>(rootfs.layersInUse());
            Set<String> liveBlobs = new HashSet<>();
            for (StoredImage image : catalog.all()) {
                liveLayers.addAll(image.layerIds());
                liveBlobs.add(image.configDigest());
                liveBlobs.addAll(image.manifestDigests());
            }
            liveLayers.addAll(leases.layers());
            liveBlobs.addAll(leases.blobs());
            for (LayerInfo layer : layers.all()) {
                if (!liveLayers.contains(layer.id())) {
                    layers.stageRemoval(layer.id()).ifPresent(staged::add);
                }
            }
            int count = 0;
            for (Digest blob : blobs.all()) {
                if (!liveBlobs.contains(blob.toString())) {
                    blobs.delete(blob);
                    count++;
                }
            }
            return count;
        });
        staged.forEach(Trees::deleteRecursively);
        if (!staged.isEmpty() || removedBlobs > 0) {
            log.info("event=gc_done layers_removed={} blobs_removed={}", staged.size(), removedBlobs);
        }
        return new Result(staged.size(), removedBlobs);
    }
}
