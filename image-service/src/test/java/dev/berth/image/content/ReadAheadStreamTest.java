package dev.berth.image.content;

import dev.berth.common.error.BerthException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadAheadStreamTest {

    /** Makes the reader threads and remembers them, to check that none outlives its stream. */
    private static final class Threads implements ThreadFactory {
        final List<Thread> made = new CopyOnWriteArrayList<>();

        @Override
        public Thread newThread(Runnable r) {
            Thread thread = new Thread(r, "read-ahead-test");
            thread.setDaemon(true);
            made.add(thread);
            return thread;
        }

        void assertAllEnded() {
            assertFalse(made.isEmpty());
            for (Thread thread : made) {
                assertFalse(thread.isAlive(), thread + " still runs");
            }
        }
    }

    /** A source that fails with {@code failure} once {@code data} is read. */
    private static InputStream failingAfter(byte[] data, RuntimeException runtime, IOException io) {
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                if (runtime != null) {
                    throw runtime;
                }
                throw io;
            }
        };
        return new SequenceInputStream(new ByteArrayInputStream(data), failing);
    }

    /** Blocks every read until closed; then the read fails, as a network body does when its stream is closed. */
    private static final class Hanging extends InputStream {
        final CountDownLatch closed = new CountDownLatch(1);
        final CountDownLatch reading = new CountDownLatch(1);

        @Override
        public int read() throws IOException {
            reading.countDown();
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException();
            }
            throw new IOException("closed");
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }

    private static byte[] random(int size) {
        byte[] data = new byte[size];
        new Random(7).nextBytes(data);
        return data;
    }

    @Test
    void everyByteArrivesInOrderAcrossChunks() throws IOException {
        byte[] data = random(1_000_003);
        Threads threads = new Threads();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ReadAheadStream in = new ReadAheadStream(new ByteArrayInputStream(data), threads, 4096, 3)) {
            byte[] odd = new byte[1000]; // reads that straddle chunk boundaries
            int n;
            while ((n = in.read(odd, 0, odd.length)) >= 0) {
                out.write(odd, 0, n);
            }
            assertEquals(-1, in.read());
        }
        assertArrayEquals(data, out.toByteArray());
        threads.assertAllEnded();
    }

    @Test
    void aSourceFailureArrivesAfterTheBytesBeforeItAndStays() throws IOException {
        byte[] data = random(50_000);
        IOException broken = new IOException("connection reset");
        Threads threads = new Threads();
        try (ReadAheadStream in = new ReadAheadStream(failingAfter(data, null, broken), threads, 4096, 2)) {
            assertArrayEquals(data, in.readNBytes(data.length));
            assertSame(broken, assertThrows(IOException.class, in::read));
            assertSame(broken, assertThrows(IOException.class, () -> in.read(new byte[10], 0, 10)));
        }
        threads.assertAllEnded();

        BerthException tooLarge = BerthException.failedPrecondition("content is larger than declared");
        try (ReadAheadStream in = new ReadAheadStream(failingAfter(data, tooLarge, null), threads, 4096, 2)) {
            assertSame(tooLarge, assertThrows(BerthException.class, () -> in.transferTo(
                    java.io.OutputStream.nullOutputStream())));
        }
        threads.assertAllEnded();
    }

    @Test
    void closingStopsAReaderBlockedOnTheSource() throws Exception {
        Threads threads = new Threads();
        Hanging source = new Hanging();
        ReadAheadStream in = new ReadAheadStream(source, threads, 4096, 2);
        source.reading.await();
        in.close();
        assertEquals(0, source.closed.getCount(), "source closed");
        threads.assertAllEnded();
        assertThrows(IOException.class, in::read);
    }

    @Test
    void closingStopsAReaderThatIsAheadOfAConsumerWhoStoppedReading() throws IOException {
        Threads threads = new Threads();
        boolean[] sourceClosed = {false};
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) 1);
                return len;
            }

            @Override
            public void close() {
                sourceClosed[0] = true;
            }
        };
        ReadAheadStream in = new ReadAheadStream(endless, threads, 4096, 2);
        assertEquals(1, in.read()); // then the consumer stops: the reader fills the queue and waits
        in.close();
        threads.assertAllEnded();
        assertTrue(sourceClosed[0]);
    }
}
