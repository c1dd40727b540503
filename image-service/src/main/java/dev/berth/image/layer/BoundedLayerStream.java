package dev.berth.image.layer;

import dev.berth.common.error.BerthException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A layer's uncompressed tar stream, held to the limit on its size and to the storage reserve. It sits right after
 * decompression, so a decompression bomb stops at the limit whatever the unpacker does with the bytes (zeros
 * become holes and cost no disk, but they still cost time).
 */
public final class BoundedLayerStream extends FilterInputStream {

    /** How often the free space is measured: often enough that a layer cannot overshoot the reserve by much. */
    static final long SPACE_CHECK_INTERVAL = 32L << 20;

    private final long maxBytes;
    private final FreeSpace space;
    private final String layer;
    private long count;
    private long nextSpaceCheck = SPACE_CHECK_INTERVAL;

    /**
     * @param maxBytes the most bytes the stream may hold
     * @param layer    names the layer in errors (its digest)
     */
    public BoundedLayerStream(InputStream in, long maxBytes, FreeSpace space, String layer) {
        super(in);
        this.maxBytes = maxBytes;
        this.space = space;
        this.layer = layer;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        // One byte past the limit is enough to know it is exceeded; never decompress more than that.
        long allowed = maxBytes - count;
        int n = super.read(b, off, allowed < len ? (int) allowed + 1 : len);
        if (n > 0) {
            count += n;
            if (count > maxBytes) {
                throw BerthException.failedPrecondition("layer " + layer + " unpacks to more than "
                        + maxBytes + " bytes, the limit set by [images] max_layer_unpacked_bytes");
            }
            if (count >= nextSpaceCheck) {
                nextSpaceCheck = count + SPACE_CHECK_INTERVAL;
                space.check("unpacking layer " + layer);
            }
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[(int) Math.min(Math.max(n, 0), 65536)];
        return Math.max(read(buffer, 0, buffer.length), 0);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    public long count() {
        return count;
    }
}
