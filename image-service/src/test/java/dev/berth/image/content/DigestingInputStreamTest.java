package dev.berth.image.content;

import dev.berth.common.error.BerthException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DigestingInputStreamTest {

    /** Counts the bytes handed out, as a network body would be consumed. */
    private static final class CountingStream extends FilterInputStream {
        long delivered;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            delivered += Math.max(n, 0);
            return n;
        }
    }

    @Test
    void aBodyLongerThanDeclaredIsReadOnlyOneBytePastTheDeclaredSize() {
        byte[] body = new byte[10 << 20];
        CountingStream source = new CountingStream(new ByteArrayInputStream(body));
        Digest declared = Digest.sha256(new byte[100]);
        DigestingInputStream in = new DigestingInputStream(source, declared, 100);
        BerthException e = assertThrows(BerthException.class, () -> in.readNBytes(1 << 20));
        assertEquals(BerthException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().contains(declared.toString()) && e.getMessage().contains("larger than the 100"),
                e.getMessage());
        assertEquals(101, source.delivered);
    }

    @Test
    void aBodyOfTheDeclaredSizeIsReadToItsEndAndVerified() throws IOException {
        byte[] body = "exactly these bytes".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        DigestingInputStream in = new DigestingInputStream(new ByteArrayInputStream(body), Digest.sha256(body),
                body.length);
        assertEquals(body.length, in.readAllBytes().length);
        in.verify("blob");
        DigestingInputStream shorter = new DigestingInputStream(new ByteArrayInputStream(body),
                Digest.sha256(body), body.length + 1);
        shorter.drain();
        BerthException e = assertThrows(BerthException.class, () -> shorter.verify("blob"));
        assertTrue(e.getMessage().contains("expected " + (body.length + 1)), e.getMessage());
        DigestingInputStream huge = new DigestingInputStream(new ByteArrayInputStream(body), Digest.sha256(body),
                Long.MAX_VALUE);
        assertEquals(body.length, huge.readAllBytes().length, "a huge declared size reads normally");
    }
}
