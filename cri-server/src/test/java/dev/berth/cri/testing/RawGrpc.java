package dev.berth.cri.testing;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;

/** Calls any CRI method with raw request bytes, as a client that does not use the generated stubs would. */
public final class RawGrpc {

    public static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private RawGrpc() {
    }

    /** The same method, with bytes in and out. */
    public static MethodDescriptor<byte[], byte[]> bytesMethod(MethodDescriptor<?, ?> method) {
        return MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(method.getType())
                .setFullMethodName(method.getFullMethodName())
                .setRequestMarshaller(BYTES)
                .setResponseMarshaller(BYTES)
                .build();
    }

    /**
     * Calls the method and reads the whole answer (every message of a server stream); returns the number of
     * response messages, or throws the call's StatusRuntimeException.
     */
    public static <Q, R> int call(Channel channel, MethodDescriptor<Q, R> method, CallOptions options, Q request) {
        if (method.getType() == MethodDescriptor.MethodType.SERVER_STREAMING) {
            Iterator<R> responses = ClientCalls.blockingServerStreamingCall(channel, method, options, request);
            int count = 0;
            while (responses.hasNext()) {
                responses.next();
                count++;
            }
            return count;
        }
        ClientCalls.blockingUnaryCall(channel, method, options, request);
        return 1;
    }
}
