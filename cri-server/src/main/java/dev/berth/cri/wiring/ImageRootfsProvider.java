package dev.berth.cri.wiring;

import dev.berth.image.ImageConfigView;
import dev.berth.image.ImageRecord;
import dev.berth.image.ImageStore;
import dev.berth.image.LayerUsage;
import dev.berth.image.Rootfs;
import dev.berth.image.store.IdMap;
import dev.berth.runtime.spi.IdmappedLayers;
import dev.berth.runtime.spi.ImageConfig;
import dev.berth.runtime.spi.PreparedImageVolume;
import dev.berth.runtime.spi.PreparedRootfs;
import dev.berth.runtime.spi.RootfsProvider;
import dev.berth.runtime.spi.WritableLayerUsage;
import java.nio.file.Path;

/** Gives runtime-core container root filesystems from the image store's overlay layers. */
public final class ImageRootfsProvider implements RootfsProvider {

    private final ImageStore images;

    public ImageRootfsProvider(ImageStore images) {
        this.images = images;
    }

    @Override
    public PreparedRootfs prepare(String containerId, String image) {
        return prepare(containerId, image, null);
    }

    @Override
    public PreparedRootfs prepare(String containerId, String image, IdmappedLayers idmap) {
        Rootfs rootfs = images.mountRootfs(containerId, image, idmap == null ? null
                : new IdMap(idmap.userns().toString(), idmap.rootUid(), idmap.rootGid()));
        String imageRef = images.find(rootfs.imageId())
                .map(ImageRootfsProvider::digestedReference)
                .orElse(rootfs.imageId());
        return new PreparedRootfs(rootfs.imageId(), imageRef, rootfs.path(), runtimeDefaults(rootfs.config()));
    }

    @Override
    public boolean idmappedLayersWork(Path userns, long rootUid) {
        return images.idmappedLayersWork(userns, rootUid);
    }

    @Override
    public void release(String containerId) {
        images.unmountImageVolumes(containerId);
        images.unmountRootfs(containerId);
    }

    @Override
    public void unmountExited(String containerId) {
        images.unmountExited(containerId);
    }

    @Override
    public PreparedImageVolume mountImageVolume(String containerId, int index, String image) {
        Rootfs volume = images.mountImageVolume(containerId, index, image);
        return new PreparedImageVolume(volume.imageId(), volume.path());
    }

    @Override
    public WritableLayerUsage usage(String containerId) {
        LayerUsage usage = images.writableLayerUsage(containerId);
        return new WritableLayerUsage(usage.mountpoint(), usage.usedBytes(), usage.inodesUsed());
    }

    private static String digestedReference(ImageRecord image) {
        return image.repoDigests().isEmpty() ? image.id() : image.repoDigests().get(0);
    }

    private static ImageConfig runtimeDefaults(ImageConfigView view) {
        return new ImageConfig(view.entrypoint(), view.cmd(), view.env(), view.workingDir(), view.imageUser(),
                view.stopSignal());
    }
}
