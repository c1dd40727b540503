package dev.berth.cri.streaming;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** Copies one blocking stream (stdout, stderr, a forwarded port) to the client until end of stream. */
final class OutboundPump {

    /** Below SPDY's and WebSocket's frame limits and large enough for bulk port-forward traffic. */
    static final int CHUNK = 32 * 1024;

    private OutboundPump() {
    }

    /** Completes when the source ended (or failed, or the client went away); the channel is then finished. */
    static CompletableFuture<Void> start(InputStream source, OutboundChannel target, Executor executor) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        executor.execute(() -> {
            byte[] buffer = new byte[CHUNK];
            try {
                int n;
                while ((n = source.read(buffer)) >= 0) {
                    if (n > 0 && !target.send(buffer, n)) {
                        break;
                    }
                }
            } catch (IOException e) {
                // The source closed under us (session closed); the stream just ends.
            } finally {
                target.finish();
                done.complete(null);
            }
        });
        return done;
    }
}
