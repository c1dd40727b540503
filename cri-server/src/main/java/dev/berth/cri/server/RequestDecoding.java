package dev.berth.cri.server;

import dev.berth.common.error.BerthException;
import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Decodes requests inside the call rather than in the transport. grpc-java parses a request before any handler
 * runs and answers a parse failure with UNKNOWN ("Application error processing RPC"); bytes that are not the
 * request message (truncated protobuf, a string that is not UTF-8) are the client's mistake, so here the parse
 * happens in the call's listener and its failure is INVALID_ARGUMENT like any other malformed request.
 */
public final class RequestDecoding {

    private static final MethodDescriptor.Marshaller<InputStream> RAW = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(InputStream value) {
            return value;
        }

        @Override
        public InputStream parse(InputStream stream) {
            // The transport may reuse its buffer once parse returns: keep a copy for the listener.
            try {
                return new ByteArrayInputStream(stream.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private RequestDecoding() {
    }

    /** The same service, with every method's request decoded inside the call. */
    public static ServerServiceDefinition of(ServerServiceDefinition service) {
        ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(
                service.getServiceDescriptor().getName());
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            builder.addMethod(decodeInCall(method));
        }
        return builder.build();
    }

    private static <Q, R> ServerMethodDefinition<InputStream, R> decodeInCall(ServerMethodDefinition<Q, R> method) {
        MethodDescriptor<Q, R> typed = method.getMethodDescriptor();
        MethodDescriptor<InputStream, R> raw = typed.toBuilder(RAW, typed.getResponseMarshaller()).build();
        ServerCallHandler<Q, R> handler = method.getServerCallHandler();
        ServerCallHandler<InputStream, R> decoding = (call, headers) ->
                new DecodingListener<>(handler.startCall(new TypedCall<>(call, typed), headers), typed);
        return ServerMethodDefinition.create(raw, decoding);
    }

    /** Parses each request and hands it to the handler's listener; a request that does not parse is refused. */
    private static final class DecodingListener<Q> extends ServerCall.Listener<InputStream> {

        private final ServerCall.Listener<Q> listener;
        private final MethodDescriptor<Q, ?> method;
        // Once the request is refused the call is closed: the handler hears nothing more of it.
        private boolean refused;

        DecodingListener(ServerCall.Listener<Q> listener, MethodDescriptor<Q, ?> method) {
            this.listener = listener;
            this.method = method;
        }

        @Override
        public void onMessage(InputStream message) {
            Q request;
            try {
                request = method.parseRequest(message);
            } catch (RuntimeException e) {
                refused = true;
                throw BerthException.invalidArgument("the request is not a valid " + method.getFullMethodName()
                        + " message: " + reason(e));
            }
            listener.onMessage(request);
        }

        @Override
        public void onHalfClose() {
            if (!refused) {
                listener.onHalfClose();
            }
        }

        @Override
        public void onCancel() {
            listener.onCancel();
        }

        @Override
        public void onComplete() {
            listener.onComplete();
        }

        @Override
        public void onReady() {
            listener.onReady();
        }
    }

    /** The transport's call as the handler sees it: the typed method, everything else passed through. */
    private static final class TypedCall<Q, R> extends ServerCall<Q, R> {

        private final ServerCall<InputStream, R> call;
        private final MethodDescriptor<Q, R> method;

        TypedCall(ServerCall<InputStream, R> call, MethodDescriptor<Q, R> method) {
            this.call = call;
            this.method = method;
        }

        @Override
        public void request(int numMessages) {
            call.request(numMessages);
        }

        @Override
        public void sendHeaders(Metadata headers) {
            call.sendHeaders(headers);
        }

        @Override
        public void sendMessage(R message) {
            call.sendMessage(message);
        }

        @Override
        public boolean isReady() {
            return call.isReady();
        }

        @Override
        public void close(Status status, Metadata trailers) {
            call.close(status, trailers);
        }

        @Override
        public boolean isCancelled() {
            return call.isCancelled();
        }

        @Override
        public void setMessageCompression(boolean enabled) {
            call.setMessageCompression(enabled);
        }

        @Override
        public void setCompression(String compressor) {
            call.setCompression(compressor);
        }

        @Override
        public Attributes getAttributes() {
            return call.getAttributes();
        }

        @Override
        public String getAuthority() {
            return call.getAuthority();
        }

        @Override
        public MethodDescriptor<Q, R> getMethodDescriptor() {
            return method;
        }
    }

    private static String reason(Throwable e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }
}
