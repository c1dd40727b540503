package dev.berth.cri.server;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a call's handler on a thread pool instead of the transport thread: the start of the call and then each of
 * its events, one at a time and in order, with the call's gRPC context (deadline, cancellation) attached as the
 * transport would attach it.
 */
final class PooledCallHandler<Q, R> implements ServerCallHandler<Q, R> {

    private static final Logger log = LoggerFactory.getLogger(PooledCallHandler.class);

    private final ServerCallHandler<Q, R> next;
    private final Executor pool;

    private PooledCallHandler(ServerCallHandler<Q, R> next, Executor pool) {
        this.next = next;
        this.pool = pool;
    }

    static <Q, R> ServerMethodDefinition<Q, R> wrap(ServerMethodDefinition<Q, R> method, Executor pool) {
        return ServerMethodDefinition.create(method.getMethodDescriptor(),
                new PooledCallHandler<>(method.getServerCallHandler(), pool));
    }

    @Override
    public ServerCall.Listener<Q> startCall(ServerCall<Q, R> call, Metadata headers) {
        PooledListener<Q> listener = new PooledListener<>(new SerialExecutor(pool), Context.current(), call);
        listener.submit(() -> listener.delegate = next.startCall(call, headers));
        return listener;
    }

    /** Hands each transport event to the call's serial executor; events before a failed start are dropped. */
    private static final class PooledListener<Q> extends ServerCall.Listener<Q> {

        private final SerialExecutor serial;
        private final Context context;
        private final ServerCall<Q, ?> call;
        // Written and read only by tasks of the serial executor, which orders them.
        private ServerCall.Listener<Q> delegate;

        PooledListener(SerialExecutor serial, Context context, ServerCall<Q, ?> call) {
            this.serial = serial;
            this.context = context;
            this.call = call;
        }

        @Override
        public void onMessage(Q message) {
            submitToDelegate(l -> l.onMessage(message));
        }

        @Override
        public void onHalfClose() {
            submitToDelegate(ServerCall.Listener::onHalfClose);
        }

        @Override
        public void onCancel() {
            submitToDelegate(ServerCall.Listener::onCancel);
        }

        @Override
        public void onComplete() {
            submitToDelegate(ServerCall.Listener::onComplete);
        }

        @Override
        public void onReady() {
            submitToDelegate(ServerCall.Listener::onReady);
        }

        private void submitToDelegate(java.util.function.Consumer<ServerCall.Listener<Q>> event) {
            submit(() -> {
                if (delegate != null) {
                    event.accept(delegate);
                }
            });
        }

        void submit(Runnable task) {
            serial.execute(context.wrap(() -> {
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    // The interceptors map handler failures to statuses; this is a failure outside them.
                    String method = call.getMethodDescriptor().getFullMethodName();
                    log.error("unexpected failure method={} error={}", method, e.toString(), e);
                    try {
                        call.close(Status.INTERNAL.withDescription(method + " failed unexpectedly: " + e),
                                new Metadata());
                    } catch (IllegalStateException alreadyClosed) {
                        log.debug("call already closed method={}", method);
                    }
                }
            }));
        }
    }
}
