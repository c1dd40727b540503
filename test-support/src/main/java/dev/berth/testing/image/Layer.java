package dev.berth.testing.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * A finished layer blob held in memory.
 *
 * @param digest   sha256 of the blob as stored (compressed)
 * @param diffId   sha256 of the uncompressed tar: what the image config lists in {@code rootfs.diff_ids}
 * @param size     blob size in bytes
 * @param tarSize  uncompressed tar size in bytes
 */
public record Layer(byte[] blob, Compression compression, String digest, String diffId, long size, long tarSize)
        implements LayerSource {

    public Layer {
        Objects.requireNonNull(blob);
        Objects.requireNonNull(compression);
    }

    @Override
    public byte[] blob() {
        return blob.clone();
    }

    byte[] blobUnsafe() {
        return blob;
    }

    public InputStream openBlob() {
        return new ByteArrayInputStream(blob);
    }

    public Descriptor descriptor(ManifestFormat format) {
        return new Descriptor(compression.mediaType(format), digest, size);
    }

    /** A layer from a tar made elsewhere (by GNU tar, or by hand), compressed and digested here. */
    public static Layer ofTar(byte[] tar, Compression compression) {
        java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
        DigestingOutputStream blob = new DigestingOutputStream(sink);
        DigestingOutputStream plain;
        try {
            plain = new DigestingOutputStream(compression.compress(blob));
            try (plain) {
                plain.write(tar);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build layer", e);
        }
        return new Layer(sink.toByteArray(), compression, blob.digest(), plain.digest(), blob.count(), plain.count());
    }

    /** Writes a tar through the compression, digesting both sides in one pass. */
    static Layer write(Compression compression, TarContent content) {
        java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
        try {
            LayerDigests digests = LayerDigests.write(sink, compression, content);
            return new Layer(sink.toByteArray(), compression, digests.digest(), digests.diffId(), digests.size(),
                    digests.tarSize());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build layer", e);
        }
    }

}
