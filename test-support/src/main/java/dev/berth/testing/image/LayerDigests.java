package dev.berth.testing.image;

import java.io.IOException;
import java.io.OutputStream;

/** Digests and sizes of a layer written once through: tar → diffID digest → compressor → blob digest → sink. */
record LayerDigests(String digest, String diffId, long size, long tarSize) {

    static LayerDigests write(OutputStream sink, Compression compression, TarContent content) throws IOException {
        return write(sink, compression, content, false);
    }

    static LayerDigests write(OutputStream sink, Compression compression, TarContent content,
                              boolean incompressible) throws IOException {
        DigestingOutputStream blob = new DigestingOutputStream(sink);
        DigestingOutputStream tar = new DigestingOutputStream(compression.compress(blob, incompressible));
        try (TarWriter writer = new TarWriter(tar)) {
            content.writeTo(writer);
        }
        return new LayerDigests(blob.digest(), tar.digest(), blob.count(), tar.count());
    }
}
