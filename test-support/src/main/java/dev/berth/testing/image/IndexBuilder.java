package dev.berth.testing.image;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.testing.registry.TestRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * A multi-platform image: an OCI image index or a Docker manifest list over per-platform images. Each image is
 * pushed by digest in the index's format, then the index is tagged.
 */
public final class IndexBuilder {

    private final ManifestFormat format;
    private final List<ImageBuilder> images = new ArrayList<>();

    private IndexBuilder(ManifestFormat format) {
        this.format = format;
    }

    /** {@link ManifestFormat#OCI} gives an OCI index, {@link ManifestFormat#DOCKER} a Docker manifest list. */
    public static IndexBuilder create(ManifestFormat format) {
        return new IndexBuilder(format);
    }

    /** Adds a platform image; its format is set to the index's. */
    public IndexBuilder image(ImageBuilder image) {
        images.add(image.format(format));
        return this;
    }

    /** Pushes everything and tags the index. */
    public PushedIndex push(TestRegistry registry, String repository, String tag) {
        if (images.isEmpty()) {
            throw new IllegalStateException("an index needs at least one image");
        }
        RegistryUploader uploader = new RegistryUploader(registry);
        List<ImageBuilder.PushedManifest> pushed = new ArrayList<>();
        for (ImageBuilder image : images) {
            pushed.add(image.pushManifest(uploader, repository, null));
        }
        Json json = new Json();
        ObjectNode root = json.object();
        root.put("schemaVersion", 2);
        root.put("mediaType", format.indexMediaType());
        ArrayNode manifests = root.putArray("manifests");
        for (ImageBuilder.PushedManifest manifest : pushed) {
            ObjectNode entry = json.descriptor(manifest.descriptor());
            ObjectNode platform = entry.putObject("platform");
            platform.put("architecture", manifest.platform().architecture());
            platform.put("os", manifest.platform().os());
            if (!manifest.platform().variant().isEmpty()) {
                platform.put("variant", manifest.platform().variant());
            }
            manifests.add(entry);
        }
        byte[] index = json.bytes(root);
        String digest = uploader.putManifest(repository, tag, format.indexMediaType(), index);
        List<PushedImage> children = pushed.stream()
                .map(m -> m.toImage(registry.address(), repository, null, m.descriptor().digest(),
                        format.manifestMediaType()))
                .toList();
        ImageBuilder.PushedManifest selected = pushed.stream()
                .filter(m -> m.platform().equals(Platform.LINUX_AMD64))
                .findFirst().orElse(pushed.get(0));
        PushedImage image = selected.toImage(registry.address(), repository, tag, digest, format.indexMediaType());
        return new PushedIndex(image, children, index.length);
    }

    /**
     * @param image    the index as a client on linux/amd64 sees it: reference and manifestDigest are the index's;
     *                 config, layers and platformManifestDigest are the linux/amd64 image's
     * @param children every platform image, pushed by digest, in index order
     */
    public record PushedIndex(PushedImage image, List<PushedImage> children, long indexSize) {

        public PushedIndex {
            children = List.copyOf(children);
        }
    }
}
