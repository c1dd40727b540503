package dev.berth.image.layer;

import dev.berth.common.error.BerthException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BoundedLayerStreamTest {

    private static final String LAYER = "sha256:" + "ab".repeat(32);
    private static final FreeSpace PLENTY = new FreeSpace(Path.of("/x"), () -> Long.MAX_VALUE, 1);

    /** Endless zeros, as a decompression bomb delivers them. */
    private static InputStream zeros(AtomicLong delivered) {
        return new InputStream() {
            @Override
            public int read() {
                delivered.incrementAndGet();
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) 0);
                delivered.addAndGet(len);
                return len;
            }
        };
    }

    @Test
    void stopsOneBytePastTheLimitNamingItAndTheLayer() {
        AtomicLong delivered = new AtomicLong();
        BoundedLayerStream in = new BoundedLayerStream(zeros(delivered), 1000, PLENTY, LAYER);
        BerthException e = assertThrows(BerthException.class, () -> in.transferTo(OutputStreamSink.INSTANCE));
        assertEquals(BerthException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().contains(LAYER) && e.getMessage().contains("max_layer_unpacked_bytes")
                && e.getMessage().contains("1000"), e.getMessage());
        assertEquals(1001, delivered.get());
    }

    @Test
    void aStreamWithinTheLimitPassesUnchanged() throws IOException {
        byte[] data = new byte[5000];
        data[4999] = 7;
        BoundedLayerStream in = new BoundedLayerStream(new ByteArrayInputStream(data), 5000, PLENTY, LAYER);
        assertEquals(7, in.readAllBytes()[4999]);
        assertEquals(5000, in.count());
        BoundedLayerStream unbounded = new BoundedLayerStream(new ByteArrayInputStream(data), Long.MAX_VALUE, PLENTY,
                LAYER);
        assertEquals(5000, unbounded.readAllBytes().length);
    }

    @Test
    void freeSpaceFallingBelowTheReserveStopsTheLayerMidway() {
        AtomicLong free = new AtomicLong((1L << 30) + (100 << 20));
        FreeSpace space = new FreeSpace(Path.of("/var/lib/berth/overlay2"), free::get, 1L << 30);
        space.check("start");
        AtomicLong delivered = new AtomicLong();
        BoundedLayerStream in = new BoundedLayerStream(new java.io.FilterInputStream(zeros(delivered)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                free.addAndGet(-n); // as if every byte reached the disk
                return n;
            }
        }, Long.MAX_VALUE, space, LAYER);
        BerthException e = assertThrows(BerthException.class, () -> in.transferTo(OutputStreamSink.INSTANCE));
        assertEquals(BerthException.Kind.RESOURCE_EXHAUSTED, e.kind());
        assertTrue(e.getMessage().contains("min_free_bytes") && e.getMessage().contains(LAYER)
                && e.getMessage().contains("/var/lib/berth/overlay2"), e.getMessage());
        // Measured every interval: it stops within one interval of the reserve.
        assertTrue(free.get() > (1L << 30) - BoundedLayerStream.SPACE_CHECK_INTERVAL - (1 << 20), "free " + free);
    }

    @Test
    void aReserveAboveTheFreeSpaceRefusesUpFrontAndZeroTurnsItOff() {
        FreeSpace tight = new FreeSpace(Path.of("/d"), () -> 100, 101);
        BerthException e = assertThrows(BerthException.class, () -> tight.check("pull of layer x"));
        assertEquals(BerthException.Kind.RESOURCE_EXHAUSTED, e.kind());
        assertTrue(e.getMessage().startsWith("pull of layer x stopped: 100 bytes free on /d"), e.getMessage());
        new FreeSpace(Path.of("/d"), () -> 0, 0).check("never refused");
    }

    /** Discards what it is given. */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
