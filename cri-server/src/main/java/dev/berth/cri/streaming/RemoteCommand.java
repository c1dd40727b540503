package dev.berth.cri.streaming;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One exec or attach between a client connection and a backend session, whatever the wire protocol: opens the
 * session, feeds stdin and resizes, copies stdout and stderr until they end, reports the outcome, and closes the
 * session exactly once, also when the client goes away first.
 */
final class RemoteCommand {

    private static final Logger log = LoggerFactory.getLogger(RemoteCommand.class);

    private final StreamRequest request;
    private final StreamOptions options;
    private final StreamingBackend backend;
    private final Executor executor;
    private final InboundPipe stdin;
    private final ResizeDecoder resize;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean clientGone;
    private volatile StreamSession session;
    private int[] pendingSize;

    RemoteCommand(StreamRequest request, StreamingBackend backend, Executor executor, FlowGates gates) {
        this.request = request;
        if (request instanceof StreamRequest.Exec exec) {
            this.options = exec.options();
        } else if (request instanceof StreamRequest.Attach attach) {
            this.options = attach.options();
        } else {
            throw new IllegalArgumentException("not a command: " + request.kind());
        }
        this.backend = backend;
        this.executor = executor;
        this.stdin = options.stdin() ? new InboundPipe(gates) : null;
        this.resize = new ResizeDecoder(this::resized);
    }

    StreamOptions options() {
        return options;
    }

    /** Where the client's stdin bytes go; discarded when stdin was not requested. */
    InboundSink stdin() {
        return stdin == null ? InboundSink.DISCARD : stdin;
    }

    InboundSink resize() {
        return resize;
    }

    /** The client's streams are all there: run the session on a streaming thread. */
    void start(CommandWire wire) {
        if (started.compareAndSet(false, true)) {
            executor.execute(() -> run(wire));
        }
    }

    /** The connection closed (client went away, idle timeout, server stopping). */
    void clientGone() {
        clientGone = true;
        if (stdin != null) {
            stdin.end();
        }
        closeSession();
    }

    private void run(CommandWire wire) {
        StreamSession opened;
        try {
            opened = request instanceof StreamRequest.Exec exec
                    ? backend.exec(exec.containerId(), exec.cmd(), options)
                    : backend.attach(containerId(), options);
        } catch (RuntimeException e) {
            log.info("stream session failed kind={} container={} error={}", request.kind(), containerId(),
                    e.getMessage());
            wire.writeOutcome(CommandOutcome.internalError(verb() + ": " + e.getMessage()));
            wire.close();
            return;
        }
        session = opened;
        if (clientGone) {
            closeSession();
            return;
        }
        applyPendingSize();
        if (stdin != null && opened.stdin() != null) {
            stdin.deliverTo(opened.stdin(), () -> closeQuietly(opened.stdin()), executor);
        }
        CompletableFuture<Void> out = pump(opened.stdout(), wire.stdout());
        CompletableFuture<Void> err = pump(opened.stderr(), wire.stderr());
        CommandOutcome outcome;
        try {
            int code = opened.awaitExit();
            CompletableFuture.allOf(out, err).join();
            outcome = request instanceof StreamRequest.Exec exec ? CommandOutcome.exited(exec.cmd(), code)
                    : CommandOutcome.succeeded();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = CommandOutcome.internalError(verb() + ": interrupted");
        }
        if (!clientGone) {
            wire.writeOutcome(outcome);
        }
        closeSession();
        wire.close();
    }

    private CompletableFuture<Void> pump(java.io.InputStream source, OutboundChannel target) {
        if (source == null || target == null) {
            return CompletableFuture.completedFuture(null);
        }
        return OutboundPump.start(source, target, executor);
    }

    private void resized(int width, int height) {
        // kubectl sends the terminal's size first thing, often before the session is open: keep the latest.
        synchronized (this) {
            pendingSize = new int[] {width, height};
        }
        applyPendingSize();
    }

    /** Sizes are applied under the lock so that the session sees them in the order the client sent them. */
    private synchronized void applyPendingSize() {
        StreamSession current = session;
        int[] size = pendingSize;
        if (current == null || size == null) {
            return;
        }
        pendingSize = null;
        if (options.tty()) {
            current.resize(size[0], size[1]);
        }
    }

    private void closeSession() {
        StreamSession current = session;
        if (current != null && closed.compareAndSet(false, true)) {
            try {
                current.close();
            } catch (RuntimeException e) {
                log.warn("stream session close failed kind={} container={} error={}", request.kind(),
                        containerId(), e.toString());
            }
        }
    }

    private String containerId() {
        return request instanceof StreamRequest.Exec exec ? exec.containerId()
                : ((StreamRequest.Attach) request).containerId();
    }

    private String verb() {
        return request instanceof StreamRequest.Exec ? "error executing command in container"
                : "error attaching to container";
    }

    private static void closeQuietly(java.io.OutputStream stream) {
        try {
            stream.close();
        } catch (java.io.IOException e) {
            // The process is gone; nothing to tell it.
        }
    }
}
