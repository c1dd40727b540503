package dev.berth.runtime.spi;

/**
 * Gives a container its root filesystem. cri-server fills this with image-service; runtime-core never sees
 * layers or registries, only a directory to use as the OCI root.
 */
public interface RootfsProvider {

    /**
     * Mounts a root filesystem for a new container.
     *
     * @param containerId the container's full ID; the provider keys its writable layer by it
     * @param image the image as the kubelet named it: an image ID, a digest or a name; the
     *     kubelet sends whichever its pod spec and image status gave it
     * @throws dev.berth.common.error.BerthException NOT_FOUND when the image is not on this node
     */
    PreparedRootfs prepare(String containerId, String image);

    /**
     * Unmounts and deletes the container's writable layer and its image volumes; a container with nothing prepared
     * is fine.
     */
    void release(String containerId);

    /**
     * Mounts an image's filesystem read-only for a container's image volume; {@link #release} unmounts it. The
     * image's layers stay on the node while it is mounted, even if the image is removed. A provider without image
     * volumes refuses them.
     *
     * @param index the mount's position in the container's config
     * @throws dev.berth.common.error.BerthException NOT_FOUND when the image is not on this node
     */
    default PreparedImageVolume mountImageVolume(String containerId, int index, String image) {
        throw dev.berth.common.error.BerthException.failedPrecondition("this node's root filesystem provider has "
                + "no image volumes");
    }

    /** How much the container's writable layer holds right now. */
    WritableLayerUsage usage(String containerId);
}
