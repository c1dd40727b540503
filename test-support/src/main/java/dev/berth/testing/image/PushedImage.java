package dev.berth.testing.image;

import java.util.List;

/**
 * An image now in a test registry.
 *
 * @param reference              {@code 127.0.0.1:PORT/repo/name:tag} (or {@code @digest} when pushed untagged)
 * @param manifestDigest         digest of what the reference resolves to: the manifest, or the index/list
 * @param manifestMediaType      media type of that manifest, index or list
 * @param platformManifestDigest digest of the linux/amd64 image manifest (equals manifestDigest when single-arch)
 * @param configDigest           digest of the linux/amd64 config blob: the image ID berth must report
 * @param layerDigests           blob digests, base layer first
 * @param diffIds                {@code rootfs.diff_ids}, base layer first
 * @param size                   config size plus the (compressed) layer blob sizes
 * @param uncompressedSize       sum of the uncompressed layer tar sizes
 */
public record PushedImage(String reference, String registry, String repository, String tag, String manifestDigest,
                          String manifestMediaType, String platformManifestDigest, String configDigest,
                          List<String> layerDigests, List<String> diffIds, long size, long uncompressedSize) {

    public PushedImage {
        layerDigests = List.copyOf(layerDigests);
        diffIds = List.copyOf(diffIds);
    }

    /** {@code 127.0.0.1:PORT/repo/name@sha256:...}, pinned to {@link #manifestDigest()}. */
    public String digestReference() {
        return registry + "/" + repository + "@" + manifestDigest;
    }

    /** The image ID runtimes report: the config digest. */
    public String imageId() {
        return configDigest;
    }
}
