package dev.berth.testing.image;

import java.io.InputStream;
import java.util.SplittableRandom;

/** A stream of {@code size} pseudo-random bytes fixed by {@code seed}: incompressible, reproducible, never stored. */
public final class RandomBytes extends InputStream {

    private final SplittableRandom random;
    private long left;
    private long word;
    private int wordBytes;

    public RandomBytes(long seed, long size) {
        this.random = new SplittableRandom(seed);
        this.left = size;
    }

    @Override
    public int read() {
        if (left == 0) {
            return -1;
        }
        left--;
        return nextByte();
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        if (left == 0) {
            return -1;
        }
        int n = (int) Math.min(length, left);
        int i = 0;
        while (i < n && wordBytes > 0) {
            buffer[offset + i++] = (byte) nextByte();
        }
        // Whole words straight from the generator: the same byte order nextByte() gives, eight at a time.
        while (n - i >= 8) {
            long value = random.nextLong();
            for (int k = 0; k < 8; k++) {
                buffer[offset + i++] = (byte) value;
                value >>>= 8;
            }
        }
        while (i < n) {
            buffer[offset + i++] = (byte) nextByte();
        }
        left -= n;
        return n;
    }

    private int nextByte() {
        if (wordBytes == 0) {
            word = random.nextLong();
            wordBytes = 8;
        }
        int b = (int) (word & 0xff);
        word >>>= 8;
        wordBytes--;
        return b;
    }
}
