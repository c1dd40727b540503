package dev.berth.runtime.host.monitor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a CRI-format log ({@code <time> <stdout|stderr> <P|F> <content>\n}) back into the two streams. A full (F)
 * line gets its newline back; partial (P) chunks join the next chunk.
 */
public final class CriLogReader {

    /** Both streams, each capped. */
    public record Streams(byte[] stdout, byte[] stderr, boolean truncated) {
    }

    private CriLogReader() {
    }

    public static Streams read(Path log, int capPerStream) throws IOException {
        if (!Files.exists(log)) {
            return new Streams(new byte[0], new byte[0], false);
        }
        try (InputStream in = Files.newInputStream(log)) {
            return parse(in.readAllBytes(), capPerStream);
        }
    }

    public static Streams parse(byte[] log, int capPerStream) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        boolean truncated = false;
        int pos = 0;
        while (pos < log.length) {
            int end = indexOf(log, (byte) '\n', pos);
            int lineEnd = end < 0 ? log.length : end;
            int s1 = indexOf(log, (byte) ' ', pos, lineEnd);
            int s2 = s1 < 0 ? -1 : indexOf(log, (byte) ' ', s1 + 1, lineEnd);
            if (s2 > 0) {
                String stream = new String(log, s1 + 1, s2 - s1 - 1, java.nio.charset.StandardCharsets.US_ASCII);
                int s3 = indexOf(log, (byte) ' ', s2 + 1, lineEnd);
                boolean full;
                int contentStart;
                if (s3 < 0) {
                    // "<time> stdout F" with empty content and no trailing space
                    full = lineEnd - s2 - 1 == 1 && log[s2 + 1] == 'F';
                    contentStart = lineEnd;
                } else {
                    full = s3 - s2 - 1 == 1 && log[s2 + 1] == 'F';
                    contentStart = s3 + 1;
                }
                ByteArrayOutputStream target = stream.equals("stderr") ? err : out;
                int length = lineEnd - contentStart;
                int room = capPerStream - target.size();
                int take = Math.max(0, Math.min(length + (full ? 1 : 0), room));
                if (take < length + (full ? 1 : 0)) {
                    truncated = true;
                }
                int contentTake = Math.min(take, length);
                target.write(log, contentStart, contentTake);
                if (full && take > length) {
                    target.write('\n');
                }
            }
            pos = lineEnd + 1;
        }
        return new Streams(out.toByteArray(), err.toByteArray(), truncated);
    }

    private static int indexOf(byte[] data, byte b, int from) {
        return indexOf(data, b, from, data.length);
    }

    private static int indexOf(byte[] data, byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (data[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
