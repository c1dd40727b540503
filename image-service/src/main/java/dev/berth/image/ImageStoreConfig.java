package dev.berth.image;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of an {@link ImageStore}.
 *
 * @param root             storage root ({@code /var/lib/berth}); images under {@code images/}, layers under
 *                         {@code overlay2/}
 * @param pullParallelism  how many layer downloads run at once across all pulls
 * @param progressTimeout  a download that receives no byte for this long is cancelled
 * @param registries       per-registry settings keyed by registry host ({@code docker.io}, {@code host:port})
 * @param pinnedImages     references (or image IDs) reported as pinned, e.g. the sandbox image
 * @param platform         which entry of a multi-platform index to pull
 * @param layerLimits      what unpacking one layer may cost the node
 */
public record ImageStoreConfig(Path root, int pullParallelism, Duration progressTimeout,
                               Map<String, RegistryConfig> registries, List<String> pinnedImages,
                               Platform platform, LayerLimits layerLimits) {

    public static final Path DEFAULT_ROOT = Path.of("/var/lib/berth");
    public static final int DEFAULT_PULL_PARALLELISM = 3;
    public static final Duration DEFAULT_PROGRESS_TIMEOUT = Duration.ofMinutes(1);

    public ImageStoreConfig {
        if (pullParallelism < 1) {
            throw new IllegalArgumentException("pullParallelism must be at least 1");
        }
        if (progressTimeout.isNegative() || progressTimeout.isZero()) {
            throw new IllegalArgumentException("progressTimeout must be positive");
        }
        root = root.toAbsolutePath().normalize();
        registries = Map.copyOf(registries);
        pinnedImages = List.copyOf(pinnedImages);
        Objects.requireNonNull(platform);
        Objects.requireNonNull(layerLimits);
    }

    /** The shape the cri-server config maps onto; the platform is linux/amd64. */
    public ImageStoreConfig(Path root, int pullParallelism, Duration progressTimeout,
                            Map<String, RegistryConfig> registries, List<String> pinnedImages,
                            LayerLimits layerLimits) {
        this(root, pullParallelism, progressTimeout, registries, pinnedImages, Platform.linuxAmd64(), layerLimits);
    }

    /** Defaults for everything but the root. */
    public static ImageStoreConfig defaults(Path root) {
        return new ImageStoreConfig(root, DEFAULT_PULL_PARALLELISM, DEFAULT_PROGRESS_TIMEOUT, Map.of(), List.of(),
                LayerLimits.defaults());
    }

    public ImageStoreConfig withRegistry(String host, RegistryConfig registry) {
        Map<String, RegistryConfig> more = new java.util.HashMap<>(registries);
        more.put(host, registry);
        return new ImageStoreConfig(root, pullParallelism, progressTimeout, more, pinnedImages, platform, layerLimits);
    }

    public ImageStoreConfig withPullParallelism(int parallelism) {
        return new ImageStoreConfig(root, parallelism, progressTimeout, registries, pinnedImages, platform,
                layerLimits);
    }

    public ImageStoreConfig withProgressTimeout(Duration timeout) {
        return new ImageStoreConfig(root, pullParallelism, timeout, registries, pinnedImages, platform, layerLimits);
    }

    public ImageStoreConfig withPinnedImages(List<String> pinned) {
        return new ImageStoreConfig(root, pullParallelism, progressTimeout, registries, pinned, platform, layerLimits);
    }

    public ImageStoreConfig withPlatform(Platform newPlatform) {
        return new ImageStoreConfig(root, pullParallelism, progressTimeout, registries, pinnedImages, newPlatform,
                layerLimits);
    }

    public ImageStoreConfig withLayerLimits(LayerLimits limits) {
        return new ImageStoreConfig(root, pullParallelism, progressTimeout, registries, pinnedImages, platform,
                limits);
    }
}
