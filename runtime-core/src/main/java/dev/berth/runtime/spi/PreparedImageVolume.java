package dev.berth.runtime.spi;

import java.nio.file.Path;
import java.util.Objects;

/**
 * An image's filesystem mounted read-only on the node for an image volume ({@code Mount.image}).
 *
 * @param imageId the node-local image ID the volume got (== Image.id)
 * @param path the mounted filesystem's root on the host
 */
public record PreparedImageVolume(String imageId, Path path) {

    public PreparedImageVolume {
        Objects.requireNonNull(imageId, "imageId");
        Objects.requireNonNull(path, "path");
    }
}
