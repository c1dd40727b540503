package dev.berth.runtime.host.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.berth.common.error.BerthException;
import dev.berth.runtime.host.sys.Syscalls;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * berth's (read) end of a conmon's sync pipe: one JSON object per line. Bytes of a line that has not ended yet are
 * kept for the next call, as two messages may come in one read or one message in two. EOF means every writer is
 * gone: conmon exited (and the runtime it ran, which inherited the pipe).
 */
final class SyncPipe implements AutoCloseable {

    private final ObjectReader json;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private final Deque<SyncMessage> ready = new ArrayDeque<>();
    private final byte[] buffer = new byte[8192];
    private int fd;
    private boolean eof;

    /** conmon closed its sync pipe without saying anything: it died. */
    static final class MonitorDiedException extends Exception {
        MonitorDiedException() {
            super("conmon died", null, false, false);
        }
    }

    SyncPipe(int fd, ObjectReader json) {
        this.fd = fd;
        this.json = json;
    }

    /**
     * Reads up to {@code wanted} messages within {@code timeout}; fewer when conmon closes the pipe after saying
     * something, {@link MonitorDiedException} when it closes it having said nothing.
     */
    List<SyncMessage> read(Duration timeout, int wanted) throws TimeoutException, MonitorDiedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<SyncMessage> messages = new ArrayList<>();
        while (messages.size() < wanted) {
            Optional<SyncMessage> message = next(deadline);
            if (message.isEmpty()) {
                break;
            }
            messages.add(message.get());
        }
        if (messages.isEmpty()) {
            throw new MonitorDiedException();
        }
        return messages;
    }

    /** The next message, waiting until {@code deadline} ({@link System#nanoTime}); empty at EOF. */
    Optional<SyncMessage> next(long deadline) throws TimeoutException {
        while (ready.isEmpty() && !eof) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new TimeoutException();
            }
            int count = Syscalls.read(fd, buffer, left);
            if (count < 0) {
                throw new TimeoutException();
            }
            if (count == 0) {
                eof = true;
                // conmon may end its last line with its exit rather than a newline.
                addLine(partial.toString(StandardCharsets.UTF_8));
                partial.reset();
            } else {
                split(count);
            }
        }
        return Optional.ofNullable(ready.poll());
    }

    private void split(int count) {
        partial.write(buffer, 0, count);
        byte[] bytes = partial.toByteArray();
        int from = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                addLine(new String(bytes, from, i - from, StandardCharsets.UTF_8));
                from = i + 1;
            }
        }
        partial.reset();
        partial.write(bytes, from, bytes.length - from);
    }

    private void addLine(String line) {
        if (line.isBlank()) {
            return;
        }
        try {
            JsonNode node = json.readTree(line);
            ready.add(new SyncMessage(node.path("data").asLong(-1), node.path("message").asText("")));
        } catch (IOException e) {
            throw BerthException.internal("unexpected message from conmon: " + line, e);
        }
    }

    @Override
    public void close() {
        Syscalls.close(fd);
        fd = -1;
    }
}
