package dev.berth.image;

import dev.berth.image.store.StoredImage;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/** Turns stored images into the records callers see: the config's user as CRI reports it, and the pin flag. */
final class ImageRecords {

    private final PinnedImages pinned;

    ImageRecords(PinnedImages pinned) {
        this.pinned = pinned;
    }

    ImageRecord of(StoredImage image) {
        String user = image.config().user();
        String name = user.isEmpty() ? "" : user.split(":", 2)[0];
        OptionalLong uid = OptionalLong.empty();
        Optional<String> username = Optional.empty();
        if (!name.isEmpty()) {
            if (name.chars().allMatch(Character::isDigit) && name.length() <= 18) {
                uid = OptionalLong.of(Long.parseLong(name));
            } else {
                username = Optional.of(name);
            }
        }
        return new ImageRecord(image.id(), image.repoTags(), image.repoDigests(), image.size(), image.config(), uid,
                username, pinned.pins(image), image.manifestDigest(), image.mediaType(), image.diffIds(),
                image.chainIds(), Instant.ofEpochMilli(image.createdAtMillis()));
    }
}
