package dev.berth.image.manifest;

import dev.berth.image.Platform;
import dev.berth.image.content.Digest;

import java.util.Map;
import java.util.Optional;

/** A pointer to content: media type, digest and size, plus the platform of an index entry. */
public record Descriptor(String mediaType, Digest digest, long size, Optional<Platform> platform,
                         Map<String, String> annotations) {

    public Descriptor {
        annotations = Map.copyOf(annotations);
    }

    public static Descriptor of(String mediaType, Digest digest, long size) {
        return new Descriptor(mediaType, digest, size, Optional.empty(), Map.of());
    }
}
