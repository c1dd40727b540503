package dev.berth.cri.streaming;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One forwarded TCP connection, whatever the wire protocol: the client's data stream to and from a port in the
 * sandbox, with failures (nothing listens there, the sandbox is gone) reported as text on the error stream so the
 * client sees an error instead of a hang. Ends when both directions ended (where the client cannot half-close,
 * when the port's side ended), or at once when the client goes away.
 */
final class ForwardedConnection {

    private static final Logger log = LoggerFactory.getLogger(ForwardedConnection.class);

    private final String sandboxId;
    private final int port;
    private final StreamingBackend backend;
    private final Executor executor;
    private final OutboundChannel data;
    private final OutboundChannel error;
    private final InboundPipe fromClient;
    private final boolean clientHalfCloses;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean aborted;
    private volatile PortConnection connection;

    ForwardedConnection(String sandboxId, int port, StreamingBackend backend, Executor executor, FlowGates gates,
                        OutboundChannel data, OutboundChannel error, boolean clientHalfCloses) {
        this.sandboxId = sandboxId;
        this.port = port;
        this.backend = backend;
        this.executor = executor;
        this.data = data;
        this.error = error;
        this.fromClient = new InboundPipe(gates);
        this.clientHalfCloses = clientHalfCloses;
    }

    /** Bytes the client sends for the port. */
    InboundSink fromClient() {
        return fromClient;
    }

    /** Completes when this connection is over and its port connection closed. */
    CompletableFuture<Void> done() {
        return done;
    }

    void start() {
        if (started.compareAndSet(false, true)) {
            executor.execute(this::run);
        }
    }

    /** Reports a failure that happened before the connection could start (e.g. the client's streams timed out). */
    void fail(String message) {
        if (started.compareAndSet(false, true)) {
            sendError(message);
            finishAll();
        }
    }

    /** The client or its connection went away: close the port connection now. */
    void abort() {
        aborted = true;
        fromClient.end();
        closeConnection();
        if (started.compareAndSet(false, true)) {
            done.complete(null);
        }
    }

    private void run() {
        PortConnection opened;
        try {
            opened = backend.portForward(sandboxId, port);
        } catch (IOException | RuntimeException e) {
            log.info("port-forward failed sandbox={} port={} error={}", sandboxId, port, e.toString());
            sendError("error forwarding port " + port + " to pod " + sandboxId + ", uid : " + describe(e));
            finishAll();
            return;
        }
        connection = opened;
        if (aborted) {
            closeConnection();
            done.complete(null);
            return;
        }
        CompletableFuture<Void> clientSent = new CompletableFuture<>();
        fromClient.deliverTo(opened.output(), () -> {
            opened.shutdownOutput();
            clientSent.complete(null);
        }, executor);
        CompletableFuture<Void> portSent = OutboundPump.start(opened.input(), data, executor);
        if (!clientHalfCloses) {
            portSent.whenComplete((ok, e) -> fromClient.end());
        }
        CompletableFuture.allOf(clientSent, portSent).whenComplete((ok, e) -> {
            closeConnection();
            error.finish();
            done.complete(null);
        });
    }

    private void sendError(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        error.send(bytes, bytes.length);
    }

    private void finishAll() {
        fromClient.end();
        error.finish();
        data.finish();
        done.complete(null);
    }

    private void closeConnection() {
        PortConnection current = connection;
        if (current != null && closed.compareAndSet(false, true)) {
            try {
                current.close();
            } catch (RuntimeException e) {
                log.warn("port-forward close failed sandbox={} port={} error={}", sandboxId, port, e.toString());
            }
        }
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
