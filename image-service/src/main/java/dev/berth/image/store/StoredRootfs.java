package dev.berth.image.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.berth.image.ImageConfigView;

import java.util.List;

/**
 * berth's record of one container root filesystem, {@code overlay2/containers/<id>/rootfs.json}. It names the
 * layers itself so they stay in use even after the image is removed.
 *
 * @param containerId     the container
 * @param imageId         the image it was made from
 * @param layerIds        layer directory names, base first
 * @param config          the image's config at creation
 * @param createdAtMillis when it was created
 * @param readOnly        an image volume: the layers alone, no upper dir (false in records written before)
 * @param idMap           the pod's user namespace the layers are seen through (idmapped views); null: as they are
 */
public record StoredRootfs(String containerId, String imageId, List<String> layerIds, ImageConfigView config,
                           long createdAtMillis, boolean readOnly,
                           @JsonInclude(JsonInclude.Include.NON_NULL) IdMap idMap) {

    public StoredRootfs {
        layerIds = List.copyOf(layerIds);
    }

    public StoredRootfs(String containerId, String imageId, List<String> layerIds, ImageConfigView config,
                        long createdAtMillis) {
        this(containerId, imageId, layerIds, config, createdAtMillis, false, null);
    }

    public StoredRootfs(String containerId, String imageId, List<String> layerIds, ImageConfigView config,
                        long createdAtMillis, boolean readOnly) {
        this(containerId, imageId, layerIds, config, createdAtMillis, readOnly, null);
    }
}
