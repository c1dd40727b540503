package dev.berth.bench.scenario;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Runs the streaming half of a scenario step (dial the URL CRI returned, stream) as an unchecked step. */
final class StreamClient {

    /** A step that dials and streams; its checked failures become unchecked ones (the step fails). */
    interface Body<T> {
        T run() throws IOException, InterruptedException;
    }

    private StreamClient() {
    }

    static <T> T call(Body<T> body) {
        try {
            return body.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
