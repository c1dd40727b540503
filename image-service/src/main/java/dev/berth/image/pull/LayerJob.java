package dev.berth.image.pull;

import dev.berth.image.RegistryCredentials;
import dev.berth.image.content.Digest;
import dev.berth.image.manifest.Descriptor;
import dev.berth.image.reference.ImageReference;

import java.util.List;

/**
 * One layer to fetch and unpack.
 *
 * @param reference   where to fetch it from (registry and repository)
 * @param blob        the compressed blob's descriptor from the manifest
 * @param diffId      the uncompressed digest the config promises
 * @param chainId     the layer's chain ID
 * @param ancestorIds layer IDs below it, nearest first (for its {@code lower} file)
 * @param credentials the pull's credentials
 */
public record LayerJob(ImageReference reference, Descriptor blob, Digest diffId, Digest chainId,
                       List<String> ancestorIds, RegistryCredentials credentials) {

    public LayerJob {
        ancestorIds = List.copyOf(ancestorIds);
    }

    public String layerId() {
        return chainId.hex();
    }
}
