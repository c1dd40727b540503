package dev.berth.testing.image;

/** A layer blob now in the registry: blob digest and size, plus the diffID and size of its uncompressed tar. */
public record UploadedLayer(Compression compression, String digest, long size, String diffId, long tarSize) {

    public Descriptor descriptor(ManifestFormat format) {
        return new Descriptor(compression.mediaType(format), digest, size);
    }
}
