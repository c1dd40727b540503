package dev.berth.image;

import java.nio.file.Path;

/**
 * A container's mounted root filesystem.
 *
 * @param containerId the container it belongs to
 * @param imageId     the image it was made from ({@code sha256:…})
 * @param path        the overlay mount point to use as the OCI {@code root.path}
 * @param config      the image's config (entrypoint, cmd, env, working dir, user, stop signal, labels)
 */
public record Rootfs(String containerId, String imageId, Path path, ImageConfigView config) {
}
