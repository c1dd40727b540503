package dev.berth.image.content;

import dev.berth.common.error.BerthException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Hashes and counts what is read through it, so content is verified while it streams. Reading past the expected
 * size fails at once, after one byte more than declared has been asked of the source (a registry cannot make berth
 * read an unbounded body); {@link #verify} checks size and digest at the end.
 */
public final class DigestingInputStream extends FilterInputStream {

    private final Digest expected;
    private final long expectedSize;
    private final MessageDigest hasher;
    private long count;

    /** @param expectedSize the exact size, or -1 when unknown (diff IDs) */
    public DigestingInputStream(InputStream in, Digest expected, long expectedSize) {
        super(in);
        this.expected = expected;
        this.expectedSize = expectedSize;
        this.hasher = expected.newHasher();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (expectedSize >= 0) {
            // A body longer than declared is read up to one byte past the declared size, never further.
            long allowed = expectedSize - count;
            len = allowed < len ? (int) allowed + 1 : len;
        }
        int n = super.read(b, off, len);
        if (n > 0) {
            hasher.update(b, off, n);
            count += n;
            if (expectedSize >= 0 && count > expectedSize) {
                throw BerthException.failedPrecondition("content of " + expected + " is larger than the "
                        + expectedSize + " bytes its descriptor says");
            }
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[(int) Math.min(Math.max(n, 0), 65536)];
        int read = read(buffer, 0, buffer.length);
        return Math.max(read, 0);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Reads to the end so the digest covers everything the source has. */
    public void drain() throws IOException {
        byte[] buffer = new byte[65536];
        while (read(buffer, 0, buffer.length) >= 0) {
            // only hashing
        }
    }

    public long count() {
        return count;
    }

    /** The digest of what was read, in the expected digest's algorithm. */
    public Digest actual() {
        return Digest.of(expected.algorithm(), ((MessageDigest) cloneHasher()).digest());
    }

    private Object cloneHasher() {
        try {
            return hasher.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Fails with FAILED_PRECONDITION unless size and digest are as expected; {@code what} names the content. */
    public void verify(String what) {
        if (expectedSize >= 0 && count != expectedSize) {
            throw BerthException.failedPrecondition(what + " " + expected + " has " + count + " bytes, expected "
                    + expectedSize);
        }
        Digest actual = actual();
        if (!actual.equals(expected)) {
            throw BerthException.failedPrecondition(what + " does not match its digest: expected " + expected
                    + ", got " + actual);
        }
    }
}
