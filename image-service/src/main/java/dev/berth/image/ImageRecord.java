package dev.berth.image;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One stored image as CRI's {@code Image} needs it.
 *
 * @param id             the image ID: the config digest ({@code sha256:…}); equals what {@code pull} returns
 * @param repoTags       every {@code repository:tag} naming this image (a tag names one image at a time)
 * @param repoDigests    every {@code repository@manifest-digest} it was pulled as
 * @param size           bytes of the compressed content: manifest(s), config and layers, as containerd reports it
 *                       (the registry-side size, not the unpacked size)
 * @param config         entrypoint, cmd, env, … from the image config
 * @param pinned         never garbage-collected by the kubelet (e.g. the sandbox image)
 * @param manifestDigest digest of the manifest (or index) it was first pulled by
 * @param mediaType      media type of that manifest (or index)
 * @param diffIds        uncompressed layer digests, base first
 * @param chainIds       layer chain IDs, base first; the last one identifies the whole rootfs
 * @param createdAt      when this image was first stored on this node
 */
public record ImageRecord(String id, List<String> repoTags, List<String> repoDigests, long size,
                          ImageConfigView config, boolean pinned,
                          String manifestDigest, String mediaType, List<String> diffIds, List<String> chainIds,
                          Instant createdAt) {

    public ImageRecord {
        repoTags = List.copyOf(repoTags);
        repoDigests = List.copyOf(repoDigests);
        diffIds = List.copyOf(diffIds);
        chainIds = List.copyOf(chainIds);
    }

    /** The numeric user from config {@code User} ({@code 1002}, {@code 1003:1004}). */
    public OptionalLong uid() {
        return config.imageUser().uid();
    }

    /** The user name from config {@code User} ({@code www-data}, {@code www-data:1004}). */
    public Optional<String> username() {
        return config.imageUser().userName();
    }
}
