package dev.berth.runtime.host.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CriLogReaderTest {

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void splitsStreamsAndRejoinsPartialLines() {
        String log = "2026-11-22T13:11:12.091936307+00:00 stdout F out\n"
                + "2026-11-22T13:11:12.091980830+00:00 stderr F e\n"
                + "2026-11-22T13:11:12.1+00:00 stdout P part\n"
                + "2026-11-22T13:11:12.2+00:00 stdout F ial with  spaces\n"
                + "2026-11-22T13:11:12.3+00:00 stdout F\n"
                + "2026-11-22T13:11:12.3+00:00 stderr P no-newline-at-end\n";
        CriLogReader.Streams streams = CriLogReader.parse(log.getBytes(StandardCharsets.UTF_8), 1 << 20);
        assertEquals("out\npartial with  spaces\n\n", text(streams.stdout()));
        assertEquals("e\nno-newline-at-end", text(streams.stderr()));
        assertFalse(streams.truncated());
    }

    @Test
    void capsEachStream() {
        String log = "t stdout F 0123456789\nt stderr F ab\n";
        CriLogReader.Streams streams = CriLogReader.parse(log.getBytes(StandardCharsets.UTF_8), 4);
        assertEquals("0123", text(streams.stdout()));
        assertEquals("ab\n", text(streams.stderr()));
        assertTrue(streams.truncated());
    }
}
