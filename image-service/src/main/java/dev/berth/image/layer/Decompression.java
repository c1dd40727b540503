package dev.berth.image.layer;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Opens a layer blob as a tar stream, choosing gzip, zstd or none from the first bytes (as containerd does):
 * media types are sometimes wrong, magic numbers are not.
 */
public final class Decompression {

    private static final int BUFFER = 128 * 1024;

    private Decompression() {
    }

    /** The algorithm a stream starts with. */
    public enum Format { GZIP, ZSTD, NONE }

    public static InputStream open(InputStream compressed) throws IOException {
        BufferedInputStream in = new BufferedInputStream(compressed, BUFFER);
        return switch (sniff(in)) {
            // Concatenated members (eStargz, pigz -i) must all be read; java.util.zip stops early on a network
            // stream when no byte happens to be available at a member boundary.
            case GZIP -> new BufferedInputStream(GzipCompressorInputStream.builder().setInputStream(in)
                    .setDecompressConcatenated(true).get(), BUFFER);
            case ZSTD -> new BufferedInputStream(new ZstdInputStreamNoFinalizer(in), BUFFER);
            case NONE -> in;
        };
    }

    static Format sniff(BufferedInputStream in) throws IOException {
        in.mark(4);
        byte[] magic = in.readNBytes(4);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return Format.GZIP;
        }
        if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5
                && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) {
            return Format.ZSTD;
        }
        return Format.NONE;
    }
}
