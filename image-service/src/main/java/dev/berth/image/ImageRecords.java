package dev.berth.image;

import dev.berth.image.store.StoredImage;
import java.time.Instant;

/** Turns stored images into the records callers see, with whether the node keeps them pinned. */
final class ImageRecords {

    private final PinnedImages pinned;

    ImageRecords(PinnedImages pinned) {
        this.pinned = pinned;
    }

    ImageRecord of(StoredImage image) {
        return new ImageRecord(image.id(), image.repoTags(), image.repoDigests(), image.size(), image.config(),
                pinned.pins(image), image.manifestDigest(), image.mediaType(), image.diffIds(),
                image.chainIds(), Instant.ofEpochMilli(image.createdAtMillis()));
    }
}
