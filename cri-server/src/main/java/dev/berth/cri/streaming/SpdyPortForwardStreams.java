package dev.berth.cri.streaming;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Port-forward over SPDY ({@code portforward.k8s.io}). Each forwarded connection is a pair of client streams, an
 * error stream and a data stream, with the same {@code port} and {@code requestid} headers; any number of pairs,
 * for any ports, may run at once on one connection. A pair whose second stream does not come within the creation
 * timeout gets an error. Clients too old to send a request ID are paired by stream ID (error N, data N+2).
 */
final class SpdyPortForwardStreams implements SpdyStreamListener {

    private final String sandboxId;
    private final StreamingBackend backend;
    private final Executor executor;
    private final FlowGates gates;
    private final Channel channel;
    private final Duration creationTimeout;
    private final Map<String, Pair> pending = new HashMap<>();
    private final List<ForwardedConnection> active = new ArrayList<>();

    private final class Pair {
        final String requestId;
        final ScheduledFuture<?> timeout;
        SpdyStream data;
        SpdyStream error;

        Pair(String requestId) {
            this.requestId = requestId;
            this.timeout = channel.eventLoop().schedule(this::timedOut, creationTimeout.toMillis(),
                    TimeUnit.MILLISECONDS);
        }

        void timedOut() {
            pending.remove(requestId);
            if (error != null) {
                byte[] message = ("timed out waiting for streams of request " + requestId).getBytes(
                        java.nio.charset.StandardCharsets.UTF_8);
                executor.execute(() -> {
                    error.send(message, message.length);
                    error.finish();
                });
            }
            if (data != null) {
                data.reset();
            }
        }
    }

    SpdyPortForwardStreams(String sandboxId, StreamingBackend backend, Executor executor, FlowGates gates,
                           Channel channel, Duration creationTimeout) {
        this.sandboxId = sandboxId;
        this.backend = backend;
        this.executor = executor;
        this.gates = gates;
        this.channel = channel;
        this.creationTimeout = creationTimeout;
    }

    @Override
    public boolean accept(SpdyStream stream) {
        String type = stream.header("streamtype");
        return port(stream) > 0 && (type.equals("data") || type.equals("error"));
    }

    @Override
    public void opened(SpdyStream stream) {
        String requestId = requestId(stream);
        Pair pair = pending.computeIfAbsent(requestId, Pair::new);
        if (stream.header("streamtype").equals("data")) {
            if (pair.data != null) {
                stream.reset();
                return;
            }
            pair.data = stream;
        } else {
            if (pair.error != null) {
                stream.reset();
                return;
            }
            pair.error = stream;
        }
        if (pair.data != null && pair.error != null) {
            pending.remove(requestId);
            pair.timeout.cancel(false);
            ForwardedConnection forward = new ForwardedConnection(sandboxId, port(pair.data), backend, executor,
                    gates, pair.data, pair.error, true);
            pair.data.receiveInto(forward.fromClient());
            active.add(forward);
            forward.done().whenComplete((ok, e) -> channel.eventLoop().execute(() -> active.remove(forward)));
            forward.start();
        }
    }

    @Override
    public void connectionClosed() {
        pending.values().forEach(pair -> pair.timeout.cancel(false));
        pending.clear();
        new ArrayList<>(active).forEach(ForwardedConnection::abort);
    }

    private static String requestId(SpdyStream stream) {
        String id = stream.header("requestid");
        if (!id.isEmpty()) {
            return id;
        }
        return Integer.toString(stream.header("streamtype").equals("error") ? stream.id() : stream.id() - 2);
    }

    private static int port(SpdyStream stream) {
        String value = stream.header("port");
        if (!value.matches("\\d{1,5}")) {
            return -1;
        }
        int port = Integer.parseInt(value);
        return port <= 65535 ? port : -1;
    }
}
