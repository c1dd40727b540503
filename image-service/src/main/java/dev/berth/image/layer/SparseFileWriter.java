package dev.berth.image.layer;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Writes a regular file from its tar content and leaves holes where the layer has no data: the holes of a sparse
 * entry, and every all-zero block of any entry (as {@code cp --sparse=auto} and GNU tar's {@code --sparse} do). A
 * 10 GB file of zeros then costs no disk; reading it gives the same bytes. The file is new ({@code CREATE_NEW}),
 * so whatever is not written reads as zeros.
 */
final class SparseFileWriter {

    /** File system block: a zero run only frees space when it covers whole blocks. */
    static final int BLOCK = 4096;
    private static final byte[] ZEROS = new byte[BLOCK];

    private final byte[] buffer;

    /** @param bufferSize a multiple of {@link #BLOCK} */
    SparseFileWriter(int bufferSize) {
        this.buffer = new byte[bufferSize];
    }

    /** Source of the entry's stored bytes ({@link TarReader#read}). */
    @FunctionalInterface
    interface Content {
        int read(byte[] buffer, int off, int len) throws IOException;
    }

    /**
     * Creates {@code target} and writes {@code layout}'s segments from {@code content}; a source error surfaces as
     * {@link SourceException} so the caller can tell it from a local write error.
     *
     * @return bytes of content read
     */
    long write(Path target, SparseMap layout, Content content) throws IOException {
        long read = 0;
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (SparseMap.Segment segment : layout.segments()) {
                read += copy(out, segment, content);
            }
            if (out.size() < layout.realSize()) {
                // A trailing hole (or zero blocks): one zero byte at the end gives the file its length.
                out.write(ByteBuffer.wrap(new byte[1]), layout.realSize() - 1);
            }
        }
        return read;
    }

    private long copy(FileChannel out, SparseMap.Segment segment, Content content) throws IOException {
        long position = segment.offset();
        long left = segment.length();
        while (left > 0) {
            // Align chunks to the file's blocks so that a zero block is seen as one.
            int room = (int) Math.min(buffer.length - position % BLOCK, left);
            int filled = fill(content, room);
            writeNonZero(out, position, filled);
            position += filled;
            left -= filled;
        }
        return segment.length();
    }

    private int fill(Content content, int len) throws IOException {
        int filled = 0;
        while (filled < len) {
            int n;
            try {
                n = content.read(buffer, filled, len - filled);
            } catch (IOException e) {
                throw new SourceException(e);
            }
            if (n < 0) {
                throw new SourceException(new EOFException("tar entry truncated"));
            }
            filled += n;
        }
        return filled;
    }

    /** Writes the non-zero blocks of {@code buffer[0, len)}, which belongs at {@code position}. */
    private void writeNonZero(FileChannel out, long position, int len) throws IOException {
        int runStart = -1;
        int i = 0;
        while (i < len) {
            int blockEnd = (int) Math.min(len, i + BLOCK - (position + i) % BLOCK);
            boolean zero = Arrays.equals(buffer, i, blockEnd, ZEROS, 0, blockEnd - i);
            if (!zero && runStart < 0) {
                runStart = i;
            } else if (zero && runStart >= 0) {
                writeFully(out, position + runStart, runStart, i);
                runStart = -1;
            }
            i = blockEnd;
        }
        if (runStart >= 0) {
            writeFully(out, position + runStart, runStart, len);
        }
    }

    private void writeFully(FileChannel out, long at, int from, int to) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(buffer, from, to - from);
        long position = at;
        while (data.hasRemaining()) {
            position += out.write(data, position);
        }
    }

    /** A failure to read the layer (network, decompression), wrapped to pass through the write path. */
    static final class SourceException extends IOException {
        SourceException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
