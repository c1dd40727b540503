package dev.berth.cri.server;

import dev.berth.common.error.BerthException;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns exceptions escaping a handler into statuses: domain errors into their code, anything unexpected into
 * INTERNAL after one log line with context. Without it grpc-java answers UNKNOWN and the cause is lost.
 */
public final class ErrorMappingInterceptor implements ServerInterceptor {

    private static final Logger log = LoggerFactory.getLogger(ErrorMappingInterceptor.class);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        ServerCall.Listener<Q> delegate = next.startCall(call, headers);
        String method = call.getMethodDescriptor().getFullMethodName();
        return new SimpleForwardingServerCallListener<>(delegate) {
            @Override
            public void onMessage(Q message) {
                guard(() -> super.onMessage(message));
            }

            @Override
            public void onHalfClose() {
                guard(super::onHalfClose);
            }

            private void guard(Runnable step) {
                try {
                    step.run();
                } catch (BerthException e) {
                    close(GrpcStatuses.of(e));
                } catch (StatusRuntimeException e) {
                    close(e.getStatus());
                } catch (RuntimeException | Error e) {
                    log.error("unexpected failure method={} error={}", method, e.toString(), e);
                    close(Status.INTERNAL.withDescription(method + " failed unexpectedly: " + e));
                }
            }

            private void close(Status status) {
                try {
                    call.close(GrpcStatuses.bounded(status), new Metadata());
                } catch (IllegalStateException alreadyClosed) {
                    log.debug("call already closed method={} status={}", method, status.getCode());
                }
            }
        };
    }
}
