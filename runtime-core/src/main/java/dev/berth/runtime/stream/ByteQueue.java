package dev.berth.runtime.stream;

import java.io.InputStream;

/**
 * A bounded byte buffer between the thread that reads conmon's packets and the server's reader: {@link #put} blocks
 * while it is full (back-pressure reaches conmon, as a slow attach client would), {@link #finish} is end of stream.
 */
final class ByteQueue extends InputStream {

    private final byte[] buffer;
    private int head;
    private int size;
    private boolean finished;

    ByteQueue(int capacity) {
        this.buffer = new byte[capacity];
    }

    /** Appends; returns false (dropping the bytes) once the reader has closed the stream. */
    synchronized boolean put(byte[] bytes, int offset, int length) throws InterruptedException {
        int done = 0;
        while (done < length) {
            while (size == buffer.length && !finished) {
                wait();
            }
            if (finished) {
                return false;
            }
            int tail = (head + size) % buffer.length;
            int chunk = Math.min(length - done, Math.min(buffer.length - size, buffer.length - tail));
            System.arraycopy(bytes, offset + done, buffer, tail, chunk);
            size += chunk;
            done += chunk;
            notifyAll();
        }
        return true;
    }

    /** End of stream once what is buffered is read. */
    synchronized void finish() {
        finished = true;
        notifyAll();
    }

    @Override
    public synchronized int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] into, int offset, int length) {
        if (length == 0) {
            return 0;
        }
        while (size == 0 && !finished) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
        if (size == 0) {
            return -1;
        }
        int chunk = Math.min(length, Math.min(size, buffer.length - head));
        System.arraycopy(buffer, head, into, offset, chunk);
        head = (head + chunk) % buffer.length;
        size -= chunk;
        notifyAll();
        return chunk;
    }

    @Override
    public synchronized int available() {
        return size;
    }

    /** The reader is gone: drop what is buffered and what comes, so the producer never blocks on it. */
    @Override
    public synchronized void close() {
        finished = true;
        size = 0;
        notifyAll();
    }
}
