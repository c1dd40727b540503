package dev.berth.image.content;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;

/**
 * Reads a source on its own thread, a few chunks ahead of the consumer: receiving (and hashing) a compressed layer
 * then overlaps decompressing, hashing and writing it, so a layer moves at the pace of its slower half rather than
 * the sum of both. Memory stays bounded: at most {@code depth + 2} chunks exist. A failure of the source (an
 * {@link IOException} or a runtime exception such as a size check) reaches the consumer as the same exception, after
 * the bytes read before it, and on every read after it. {@link #close} stops the reader, closes the source and waits
 * for the reader thread to end: once it returns, nothing touches the source any more.
 */
public final class ReadAheadStream extends InputStream {

    private static final long JOIN_MILLIS = 10_000;

    private final InputStream source;
    private final int chunkSize;
    private final BlockingQueue<Chunk> filled;
    private final ConcurrentLinkedQueue<byte[]> free = new ConcurrentLinkedQueue<>();
    private final Thread reader;
    private volatile boolean closed;
    private Chunk current;
    private int position;

    /** A run of bytes, the end of the source ({@code end}), or its failure. */
    private record Chunk(byte[] data, int length, boolean end, Throwable failure) {
    }

    /**
     * Starts reading at once.
     *
     * @param chunkSize bytes handed over at a time
     * @param depth     chunks the reader may be ahead of the consumer
     */
    public ReadAheadStream(InputStream source, ThreadFactory threads, int chunkSize, int depth) {
        this.source = source;
        this.chunkSize = chunkSize;
        this.filled = new ArrayBlockingQueue<>(depth);
        this.reader = threads.newThread(this::readAhead);
        reader.start();
    }

    private void readAhead() {
        Chunk last;
        try {
            while (true) {
                if (closed) {
                    return;
                }
                byte[] buffer = free.poll();
                if (buffer == null) {
                    buffer = new byte[chunkSize];
                }
                int length = 0;
                Throwable failure = null;
                int n = 0;
                try {
                    while (length < buffer.length && (n = source.read(buffer, length, buffer.length - length)) >= 0) {
                        length += n;
                    }
                } catch (IOException | RuntimeException | Error e) {
                    failure = e;
                }
                if (length > 0) {
                    filled.put(new Chunk(buffer, length, false, null)); // what came before a failure counts
                }
                if (failure != null) {
                    last = new Chunk(null, 0, false, failure);
                    break;
                }
                if (n < 0) {
                    last = new Chunk(null, 0, true, null);
                    break;
                }
            }
        } catch (InterruptedException e) {
            return; // closed by the consumer
        }
        try {
            filled.put(last);
        } catch (InterruptedException e) {
            // closed by the consumer: nobody waits for the outcome
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (len == 0) {
            return 0;
        }
        while (current == null || (current.data() != null && position == current.length())) {
            if (current != null) {
                free.offer(current.data());
            }
            try {
                current = filled.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for data");
            }
            position = 0;
        }
        if (current.failure() != null) {
            throw rethrow(current.failure());
        }
        if (current.end()) {
            return -1;
        }
        int n = Math.min(len, current.length() - position);
        System.arraycopy(current.data(), position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public int available() {
        Chunk chunk = current;
        return chunk == null || chunk.data() == null ? 0 : chunk.length() - position;
    }

    private static IOException rethrow(Throwable failure) {
        if (failure instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        return (IOException) failure;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        reader.interrupt();
        try {
            source.close(); // unblocks a read the interrupt did not reach
        } finally {
            filled.clear(); // room for the reader's last chunk, so it never blocks on a full queue
            try {
                reader.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
