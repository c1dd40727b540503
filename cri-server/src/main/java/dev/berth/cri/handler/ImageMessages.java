package dev.berth.cri.handler;

import dev.berth.image.ImageRecord;
import dev.berth.proto.runtime.v1.Image;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.Int64Value;

/** Image records as CRI messages. */
final class ImageMessages {

    private ImageMessages() {
    }

    static Image image(ImageRecord record) {
        Image.Builder image = Image.newBuilder()
                .setId(record.id())
                .addAllRepoTags(record.repoTags())
                .addAllRepoDigests(record.repoDigests())
                .setSize(record.size())
                .setPinned(record.pinned())
                .setSpec(ImageSpec.newBuilder().setImage(record.id()));
        record.uid().ifPresent(uid -> image.setUid(Int64Value.newBuilder().setValue(uid)));
        record.username().ifPresent(image::setUsername);
        return image.build();
    }
}
