package dev.berth.cri.service;

import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/** Answers a unary call; exceptions propagate to the ErrorMappingInterceptor, which picks the status. */
final class Unary {

    private Unary() {
    }

    static <T> void answer(StreamObserver<T> observer, Supplier<T> body) {
        T response = body.get();
        observer.onNext(response);
        observer.onCompleted();
    }
}
