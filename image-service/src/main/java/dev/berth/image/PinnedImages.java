package dev.berth.image;

import dev.berth.image.reference.ImageReference;
import dev.berth.image.store.StoredImage;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The images the kubelet must never garbage-collect (e.g. the sandbox image), named by ID, tag or digest. */
final class PinnedImages {

    private final Set<String> ids;
    private final Set<String> names;

    private PinnedImages(Set<String> ids, Set<String> names) {
        this.ids = Set.copyOf(ids);
        this.names = Set.copyOf(names);
    }

    /** From the configured pins: image IDs (with or without {@code sha256:}) or references. */
    static PinnedImages of(List<String> pinned) {
        Set<String> ids = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (String pin : pinned) {
            String s = pin.strip();
            String hex = s.startsWith("sha256:") ? s.substring(7) : s;
            if (hex.matches("[0-9a-f]{64}")) {
                ids.add("sha256:" + hex);
                continue;
            }
            ImageReference ref = ImageReference.parse(s);
            ref.repoTag().ifPresent(names::add);
            ref.digest().ifPresent(d -> names.add(ref.repoDigest(d)));
        }
        return new PinnedImages(ids, names);
    }

    boolean pins(StoredImage image) {
        return ids.contains(image.id()) || image.repoTags().stream().anyMatch(names::contains)
                || image.repoDigests().stream().anyMatch(names::contains);
    }
}
