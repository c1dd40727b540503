package dev.berth.runtime.container;

import java.util.Map;

/**
 * The image as the kubelet named it in CreateContainer, returned unchanged in status.
 *
 * @param image an image ID, digest or name
 * @param userSpecifiedImage the name the user wrote, when the kubelet sends the ID in {@code image}
 */
public record ImageName(String image, String userSpecifiedImage, Map<String, String> annotations,
                        String runtimeHandler) {

    public ImageName {
        image = image == null ? "" : image;
        userSpecifiedImage = userSpecifiedImage == null ? "" : userSpecifiedImage;
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        runtimeHandler = runtimeHandler == null ? "" : runtimeHandler;
    }
}
