package dev.berth.bench;

import dev.berth.proto.runtime.v1.ImageServiceGrpc;
import dev.berth.proto.runtime.v1.RuntimeServiceGrpc;
import dev.berth.proto.runtime.v1.VersionRequest;
import dev.berth.proto.runtime.v1.VersionResponse;
import dev.berth.testing.cri.CriClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The tests' CRI client with what a benchmark adds: the runtime's label and a deadline per call, as the kubelet sets
 * one. Every runtime under test is driven through this same class.
 */
public final class CriEndpoint implements AutoCloseable {

    /** The kubelet's default --runtime-request-timeout. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(2);

    private final String label;
    private final Path socket;
    private final CriClient client;

    private CriEndpoint(String label, Path socket, CriClient client) {
        this.label = label;
        this.socket = socket;
        this.client = client;
    }

    public static CriEndpoint connect(String label, Path socket) {
        return new CriEndpoint(label, socket, CriClient.connect(socket));
    }

    /** "berth" or "containerd". */
    public String label() {
        return label;
    }

    public Path socket() {
        return socket;
    }

    public RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime() {
        return runtime(DEFAULT_DEADLINE);
    }

    public RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime(Duration deadline) {
        return client.runtime().withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    public ImageServiceGrpc.ImageServiceBlockingStub images() {
        return images(DEFAULT_DEADLINE);
    }

    public ImageServiceGrpc.ImageServiceBlockingStub images(Duration deadline) {
        return client.images().withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    public VersionResponse version() {
        return runtime(Duration.ofSeconds(5)).version(VersionRequest.newBuilder().setVersion("v1").build());
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return label + "@" + socket;
    }
}
