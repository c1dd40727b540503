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
     * Mounts a root filesystem for a container of a pod with its own user namespace ({@code idmap} null: as
     * {@link #prepare(String, String)}). A provider without idmapped layers refuses it.
     */
    default PreparedRootfs prepare(String containerId, String image, IdmappedLayers idmap) {
        if (idmap == null) {
            return prepare(containerId, image);
        }
        throw dev.berth.common.error.BerthException.failedPrecondition("this node's root filesystem provider has "
                + "no idmapped layers for a pod's user namespace");
    }

    /**
     * Whether {@link #prepare(String, String, IdmappedLayers)} works on this host: probed once at start-up with a
     * user namespace pinned at {@code userns} whose root is host uid {@code rootUid}.
     */
    default boolean idmappedLayersWork(java.nio.file.Path userns, long rootUid) {
        return false;
    }

    /**
     * Unmounts and deletes the container's writable layer and its image volumes; a container with nothing prepared
     * is fine.
     */
    void release(String containerId);

    /**
     * Unmounts the root filesystem and image volumes of a container whose processes are all gone, keeping its
     * writable layer for {@link #release}; nothing mounted is fine. A provider may leave the mounts to
     * {@link #release}.
     */
    default void unmountExited(String containerId) {
    }

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
