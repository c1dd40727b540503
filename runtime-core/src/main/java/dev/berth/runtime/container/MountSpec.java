package dev.berth.runtime.container;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A mount the kubelet asked for, reported back in status as given (an image volume with the image ID it got).
 *
 * @param propagation PRIVATE, HOST_TO_CONTAINER or BIDIRECTIONAL
 * @param image for an image volume: the image as asked, then the image ID once mounted; empty otherwise
 * @param imageSubPath for an image volume: the directory of the image mounted; empty for its root
 */
public record MountSpec(String containerPath, String hostPath, boolean readonly, boolean selinuxRelabel,
                        String propagation, boolean recursiveReadOnly,
                        @JsonInclude(JsonInclude.Include.NON_EMPTY) String image,
                        @JsonInclude(JsonInclude.Include.NON_EMPTY) String imageSubPath) {

    public MountSpec {
        hostPath = hostPath == null ? "" : hostPath;
        propagation = propagation == null || propagation.isEmpty() ? "PRIVATE" : propagation;
        image = image == null ? "" : image;
        imageSubPath = imageSubPath == null ? "" : imageSubPath;
    }

    public MountSpec(String containerPath, String hostPath, boolean readonly, boolean selinuxRelabel,
                     String propagation, boolean recursiveReadOnly) {
        this(containerPath, hostPath, readonly, selinuxRelabel, propagation, recursiveReadOnly, "", "");
    }

    @JsonIgnore
    public boolean isImageVolume() {
        return !image.isEmpty();
    }

    public MountSpec withImage(String imageId) {
        return new MountSpec(containerPath, hostPath, readonly, selinuxRelabel, propagation, recursiveReadOnly,
                imageId, imageSubPath);
    }
}
