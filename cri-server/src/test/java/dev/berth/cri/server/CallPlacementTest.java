package dev.berth.cri.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.PodSandboxStatusRequest;
import dev.berth.proto.runtime.v1.PodSandboxStatusResponse;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxResponse;
import dev.berth.proto.runtime.v1.RuntimeServiceGrpc;
import dev.berth.proto.runtime.v1.StopPodSandboxRequest;
import dev.berth.proto.runtime.v1.StopPodSandboxResponse;
import dev.berth.testing.cri.CriClient;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Where the server runs each call: calls answered from memory on the transport thread, the others on the request
 * pool with the caller's deadline, and failures on the pool still mapped to their status.
 */
class CallPlacementTest {

    private Path dir;
    private CriServer server;
    private CriClient client;

    /** Answers with the name of the thread that ran the handler and whether the call's deadline was visible. */
    private static final class ThreadReporting extends RuntimeServiceGrpc.RuntimeServiceImplBase {
        @Override
        public void podSandboxStatus(PodSandboxStatusRequest request,
                                     StreamObserver<PodSandboxStatusResponse> observer) {
            observer.onNext(PodSandboxStatusResponse.newBuilder()
                    .putInfo("thread", Thread.currentThread().getName()).build());
            observer.onCompleted();
        }

        @Override
        public void runPodSandbox(RunPodSandboxRequest request, StreamObserver<RunPodSandboxResponse> observer) {
            observer.onNext(RunPodSandboxResponse.newBuilder().setPodSandboxId(Thread.currentThread().getName()
                    + " deadline=" + (Context.current().getDeadline() != null)).build());
            observer.onCompleted();
        }

        @Override
        public void stopPodSandbox(StopPodSandboxRequest request, StreamObserver<StopPodSandboxResponse> observer) {
            throw BerthException.notFound("pod sandbox " + request.getPodSandboxId() + " not found");
        }
    }

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("berth-placement-");
        Path socket = dir.resolve("cri.sock");
        server = CriServer.start(socket, 1 << 20, Duration.ofSeconds(1), List.of(new ThreadReporting()),
                new SimpleMeterRegistry());
        client = CriClient.connect(socket);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
        dev.berth.common.fs.Trees.deleteRecursively(dir);
    }

    private RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime() {
        return client.runtime().withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @Test
    void statusRunsOnTheTransportThread() {
        String thread = runtime().podSandboxStatus(PodSandboxStatusRequest.newBuilder().setPodSandboxId("a")
                .build()).getInfoOrThrow("thread");
        assertFalse(thread.startsWith("cri-request-"), thread);
        assertTrue(thread.contains("EventLoop"), thread);
    }

    @Test
    void otherCallsRunOnTheRequestPoolWithTheirDeadline() {
        String answer = runtime().runPodSandbox(RunPodSandboxRequest.getDefaultInstance()).getPodSandboxId();
        assertTrue(answer.startsWith("cri-request-"), answer);
        assertTrue(answer.endsWith("deadline=true"), answer);
    }

    @Test
    void failuresOnThePoolKeepTheirStatus() {
        StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId("b").build()));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertNotNull(e.getStatus().getDescription());
        assertTrue(e.getStatus().getDescription().contains("pod sandbox b not found"), e.getStatus().toString());
    }
}
