package dev.berth.cri.service;

import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.function.Function;

/** Answers a Stream* list RPC: the list in pages, so no single message nears the kubelet's 16 MiB limit. */
final class Chunks {

    private static final int PAGE = 500;

    private Chunks() {
    }

    static <T, R> void send(List<T> items, Function<List<T>, R> page, StreamObserver<R> observer) {
        for (int from = 0; from < items.size(); from += PAGE) {
            observer.onNext(page.apply(items.subList(from, Math.min(items.size(), from + PAGE))));
        }
        if (items.isEmpty()) {
            observer.onNext(page.apply(List.of()));
        }
        observer.onCompleted();
    }
}
