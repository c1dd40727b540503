package dev.berth.testing.image;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/** Passes bytes through while counting them and computing their sha256, so one pass yields content and digest. */
final class DigestingOutputStream extends OutputStream {

    private final OutputStream delegate;
    private final MessageDigest digest = Digests.newSha256();
    private long count;
    private String result;

    DigestingOutputStream(OutputStream delegate) {
        this.delegate = delegate;
    }

    @Override
    public void write(int b) throws IOException {
        delegate.write(b);
        digest.update((byte) b);
        count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        delegate.write(b, off, len);
        digest.update(b, off, len);
        count += len;
    }

    @Override
    public void flush() throws IOException {
        delegate.flush();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }

    long count() {
        return count;
    }

    /** The digest of everything written; call once writing is over. */
    String digest() {
        if (result == null) {
            result = Digests.format(digest.digest());
        }
        return result;
    }
}
