package dev.berth.runtime.spi;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A mounted root filesystem and the image it came from.
 *
 * @param imageId the node-local image ID (== PullImageResponse.image_ref == Image.id)
 * @param imageRef the digested reference of the image, e.g. {@code docker.io/library/busybox@sha256:…}; the ID
 *                 when the image has no repo digest
 * @param rootfs the directory to use as the OCI root
 * @param config the image's runtime defaults
 */
public record PreparedRootfs(String imageId, String imageRef, Path rootfs, ImageConfig config) {

    public PreparedRootfs {
        Objects.requireNonNull(imageId, "imageId");
        Objects.requireNonNull(imageRef, "imageRef");
        Objects.requireNonNull(rootfs, "rootfs");
        config = config == null ? ImageConfig.EMPTY : config;
    }
}
