package dev.berth.image.store;

import dev.berth.image.ImageConfigView;

import java.util.List;

/**
 * berth's record of one image, persisted as {@code images/records/<id hex>.json}.
 *
 * @param id              image ID ({@code sha256:} config digest)
 * @param repoTags        {@code repository:tag} names
 * @param repoDigests     {@code repository@digest} names
 * @param manifestDigest  digest of the manifest or index it was first pulled by
 * @param mediaType       media type of that manifest or index
 * @param manifestDigests every manifest and index blob this image keeps (top-level and platform manifests)
 * @param configDigest    digest of its config blob (equals the ID)
 * @param diffIds         uncompressed layer digests, base first
 * @param chainIds        chain IDs, base first
 * @param size            compressed size: manifests, config and layer blobs
 * @param config          container defaults from the config
 * @param createdAtMillis when it was first stored here
 */
public record StoredImage(String id, List<String> repoTags, List<String> repoDigests, String manifestDigest,
                          String mediaType, List<String> manifestDigests, String configDigest, List<String> diffIds,
                          List<String> chainIds, long size, ImageConfigView config, long createdAtMillis) {

    public StoredImage {
        repoTags = List.copyOf(repoTags);
        repoDigests = List.copyOf(repoDigests);
        manifestDigests = List.copyOf(manifestDigests);
        diffIds = List.copyOf(diffIds);
        chainIds = List.copyOf(chainIds);
    }

    /** The layer directory names (chain ID hex), base first. */
    public List<String> layerIds() {
        return chainIds.stream().map(c -> c.substring(c.indexOf(':') + 1)).toList();
    }

    public StoredImage withNames(List<String> tags, List<String> digests) {
        return new StoredImage(id, tags, digests, manifestDigest, mediaType, manifestDigests, configDigest, diffIds,
                chainIds, size, config, createdAtMillis);
    }

    public StoredImage withManifestDigests(List<String> digests) {
        return new StoredImage(id, repoTags, repoDigests, manifestDigest, mediaType, digests, configDigest, diffIds,
                chainIds, size, config, createdAtMillis);
    }
}
