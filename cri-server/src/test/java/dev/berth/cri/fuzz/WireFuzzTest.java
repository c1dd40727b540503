package dev.berth.cri.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.sun.net.httpserver.HttpServer;
import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.cri.testing.RawGrpc;
import dev.berth.proto.runtime.v1.ContainerEventResponse;
import dev.berth.proto.runtime.v1.GetEventsRequest;
import dev.berth.proto.runtime.v1.ImageFsInfoRequest;
import dev.berth.proto.runtime.v1.ImageServiceGrpc;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.ListContainersRequest;
import dev.berth.proto.runtime.v1.ListImagesRequest;
import dev.berth.proto.runtime.v1.ListPodSandboxRequest;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.proto.runtime.v1.PullImageResponse;
import dev.berth.proto.runtime.v1.RuntimeServiceGrpc;
import dev.berth.proto.runtime.v1.VersionRequest;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What reaches the socket below the generated stubs: deeply nested and truncated protobuf for every method, bytes
 * that are not HTTP/2, clients that go away mid-call, and 500 connections at once. The daemon answers each call with a
 * status, keeps serving, and holds no file descriptor or call state for a client that is gone.
 */
@Tag("host")
class WireFuzzTest {

    // A registry that answers nothing until told to: a pull started against it stays in flight.
    static final CountDownLatch stalledRequest = new CountDownLatch(1);
    static final CountDownLatch releaseStall = new CountDownLatch(1);
    // Under /v2/trickle/: a manifest whose body comes one space a second, until the reader hangs up.
    static final CountDownLatch trickleStarted = new CountDownLatch(1);
    static final CountDownLatch trickleHungUp = new CountDownLatch(1);
    static final HttpServer stallingRegistry = stallingRegistry();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withToml("[registry.\"" + stallAddress() + "\"]\ninsecure = true\n");

    @AfterAll
    static void stopRegistry() {
        releaseStall.countDown();
        stallingRegistry.stop(0);
    }

    @Test
    void nestedTruncatedAndOverlongProtobufIsInvalidArgumentForEveryMethod() {
        byte[][] hostile = {
            Mutator.nestedGroups(20_000),
            // A varint that never ends.
            {(byte) 0x08, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff},
            // Field 1 announces 4 GiB and carries 1 byte.
            {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0x01},
            // Length-delimited field 1 nested 2,000 deep, truncated at the end.
            nestedLengths(2_000),
        };
        int cases = 0;
        for (ServiceDescriptor service : List.of(RuntimeServiceGrpc.getServiceDescriptor(),
                ImageServiceGrpc.getServiceDescriptor())) {
            for (MethodDescriptor<?, ?> method : service.getMethods()) {
                for (byte[] bytes : hostile) {
                    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> RawGrpc.call(
                            berth.client().channel(), RawGrpc.bytesMethod(method),
                            CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), bytes),
                            method.getFullMethodName());
                    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(),
                            method.getFullMethodName() + ": " + e.getStatus());
                    cases++;
                }
            }
        }
        assertEquals(41 * hostile.length, cases);
        assertServing();
    }

    @Test
    void bytesThatAreNotHttp2LeaveTheDaemonServing() throws IOException {
        Random random = new Random(7);
        byte[] preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        List<byte[]> payloads = new ArrayList<>();
        payloads.add("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        payloads.add(new byte[0]);
        payloads.add(java.util.Arrays.copyOf(preface, 10));
        for (int i = 0; i < 20; i++) {
            byte[] junk = new byte[1 + random.nextInt(4096)];
            random.nextBytes(junk);
            payloads.add(junk);
            // A valid preface, then frames of random bytes.
            byte[] framed = new byte[preface.length + junk.length];
            System.arraycopy(preface, 0, framed, 0, preface.length);
            System.arraycopy(junk, 0, framed, preface.length, junk.length);
            payloads.add(framed);
        }
        for (byte[] payload : payloads) {
            try (SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                socket.connect(UnixDomainSocketAddress.of(berth.socket()));
                socket.write(ByteBuffer.wrap(payload));
            }
        }
        assertEquals(43, payloads.size());
        assertServing();
    }

    @Test
    void fiveHundredConnectionsAtOnceAllGetAStatusAndLeaveNoDescriptor() throws Exception {
        // Warm up: the first connections load classes and make the daemon's lazily created descriptors.
        runConnections(10);
        long baseline = openFds();
        List<Status.Code> codes = runConnections(500);
        assertEquals(1500, codes.size());
        assertEquals(List.of(), codes.stream().filter(code -> code != Status.Code.OK).toList());
        awaitFdsAtMost(baseline);
        assertServing();
    }

    @Test
    void aPullWhoseClientGoesAwayStopsDownloading() throws Exception {
        // Without cancellation the daemon would keep reading the trickle until the call's 120 s deadline.
        Context.CancellableContext pullContext = Context.current().withCancellation();
        CompletableFuture<Status> pull = new CompletableFuture<>();
        pullContext.run(() -> berth.client().imagesAsync().withDeadlineAfter(120, TimeUnit.SECONDS).pullImage(
                PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder()
                        .setImage(stallAddress() + "/trickle/img:1")).build(), observer(pull)));
        assertTrue(trickleStarted.await(30, TimeUnit.SECONDS), "the pull never reached the registry");
        pullContext.cancel(null);
        assertEquals(Status.Code.CANCELLED, pull.get(10, TimeUnit.SECONDS).getCode());
        assertTrue(trickleHungUp.await(15, TimeUnit.SECONDS),
                "the daemon still reads the manifest 15 s after its client went away");
        assertEquals(0, berth.client().images().listImages(ListImagesRequest.getDefaultInstance()).getImagesCount());
        assertServing();
    }

    @Test
    void callsCancelledOrCutOffMidFlightLeaveNoStuckState() throws Exception {
        // A pull cut off while the registry holds it; the registry then answers "no such image".
        String reference = stallAddress() + "/stall/img:1";
        Context.CancellableContext pullContext = Context.current().withCancellation();
        CompletableFuture<Status> pull = new CompletableFuture<>();
        pullContext.run(() -> berth.client().imagesAsync().withDeadlineAfter(60, TimeUnit.SECONDS).pullImage(
                PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(reference)).build(),
                observer(pull)));
        assertTrue(stalledRequest.await(30, TimeUnit.SECONDS), "the pull never reached the registry");
        pullContext.cancel(null);
        assertEquals(Status.Code.CANCELLED, pull.get(10, TimeUnit.SECONDS).getCode());
        releaseStall.countDown();
        // Not joined to the cut-off pull for ever: a new pull of the same image gets the registry's answer.
        StatusRuntimeException again = assertThrows(StatusRuntimeException.class, () -> berth.client().images()
                .withDeadlineAfter(30, TimeUnit.SECONDS).pullImage(PullImageRequest.newBuilder()
                        .setImage(ImageSpec.newBuilder().setImage(reference)).build()));
        assertEquals(Status.Code.NOT_FOUND, again.getStatus().getCode(), again.getStatus().toString());
        assertEquals(0, berth.client().images().listImages(ListImagesRequest.getDefaultInstance()).getImagesCount());

        // The pull made the daemon's registry client and its pooled connection: count descriptors from here.
        long baseline = openFds();
        // ListContainers cancelled right after it is sent, 200 times.
        for (int i = 0; i < 200; i++) {
            Context.CancellableContext context = Context.current().withCancellation();
            ListenableFuture<?> call = context.call(() -> RuntimeServiceGrpc.newFutureStub(berth.client().channel())
                    .listContainers(ListContainersRequest.getDefaultInstance()));
            context.cancel(null);
            // The call ends one way or the other: answered before the cancel landed, or cancelled.
            try {
                call.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                assertEquals(Status.Code.CANCELLED, Status.fromThrowable(e.getCause()).getCode());
            }
        }

        // A channel shut down abruptly with an event stream and unary calls in flight.
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        ManagedChannel channel = channel(group);
        CompletableFuture<Status> events = new CompletableFuture<>();
        RuntimeServiceGrpc.newStub(channel).getContainerEvents(GetEventsRequest.getDefaultInstance(),
                new StreamObserver<ContainerEventResponse>() {
                    @Override
                    public void onNext(ContainerEventResponse value) {
                    }

                    @Override
                    public void onError(Throwable t) {
                        events.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        events.complete(Status.OK);
                    }
                });
        List<ListenableFuture<?>> inFlight = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            inFlight.add(RuntimeServiceGrpc.newFutureStub(channel).listPodSandbox(
                    ListPodSandboxRequest.getDefaultInstance()));
        }
        channel.shutdownNow();
        assertTrue(channel.awaitTermination(10, TimeUnit.SECONDS));
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
        assertEquals(Status.Code.UNAVAILABLE, events.get(10, TimeUnit.SECONDS).getCode());
        for (ListenableFuture<?> call : inFlight) {
            try {
                call.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(e.getCause()).getCode());
            }
        }
        awaitFdsAtMost(baseline);
        assertServing();
    }

    private static List<Status.Code> runConnections(int count) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        List<ManagedChannel> channels = new ArrayList<>();
        List<CompletableFuture<Status>> calls = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                ManagedChannel channel = channel(group);
                channels.add(channel);
                // Each connection is made now, not at its first call, so all are open at once.
                channel.getState(true);
            }
            for (ManagedChannel channel : channels) {
                CompletableFuture<Status> version = new CompletableFuture<>();
                CompletableFuture<Status> pods = new CompletableFuture<>();
                CompletableFuture<Status> fs = new CompletableFuture<>();
                RuntimeServiceGrpc.newStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                        .version(VersionRequest.getDefaultInstance(), observer(version));
                RuntimeServiceGrpc.newStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                        .listPodSandbox(ListPodSandboxRequest.getDefaultInstance(), observer(pods));
                ImageServiceGrpc.newStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                        .imageFsInfo(ImageFsInfoRequest.getDefaultInstance(), observer(fs));
                calls.addAll(List.of(version, pods, fs));
            }
            List<Status.Code> codes = new ArrayList<>();
            for (CompletableFuture<Status> call : calls) {
                codes.add(call.join().getCode());
            }
            return codes;
        } finally {
            channels.forEach(ManagedChannel::shutdownNow);
            for (ManagedChannel channel : channels) {
                channel.awaitTermination(10, TimeUnit.SECONDS);
            }
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
        }
    }

    private static ManagedChannel channel(EventLoopGroup group) {
        return NettyChannelBuilder.forAddress(new DomainSocketAddress(berth.socket().toString()))
                .channelType(EpollDomainSocketChannel.class)
                .eventLoopGroup(group)
                .withOption(ChannelOption.SO_KEEPALIVE, null)
                .usePlaintext()
                .build();
    }

    private static <T> StreamObserver<T> observer(CompletableFuture<Status> done) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
            }

            @Override
            public void onError(Throwable t) {
                done.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                done.complete(Status.OK);
            }
        };
    }

    /** Open descriptors of this JVM, which runs the daemon in-process. */
    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** The daemon closes a gone client's socket asynchronously: wait for the count to come back, not a fixed time. */
    private static void awaitFdsAtMost(long baseline) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long now = openFds();
        while (now > baseline && System.nanoTime() < deadline) {
            Thread.sleep(50);
            now = openFds();
        }
        assertTrue(now <= baseline, "open descriptors " + now + ", before " + baseline);
    }

    private static void assertServing() {
        assertEquals("berth", berth.client().runtime().withDeadlineAfter(10, TimeUnit.SECONDS)
                .version(VersionRequest.getDefaultInstance()).getRuntimeName());
    }

    private static byte[] nestedLengths(int depth) {
        // Each level: tag 0x0a and a one-byte length that claims more than is left at the innermost level.
        byte[] bytes = new byte[depth * 2];
        for (int i = 0; i < depth; i++) {
            bytes[2 * i] = 0x0a;
            bytes[2 * i + 1] = 0x7f;
        }
        return bytes;
    }

    private static HttpServer stallingRegistry() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                if (exchange.getRequestURI().getPath().equals("/v2/")) {
                    // The version check before a pull: answered at once, so only the pull's own request stalls.
                    exchange.sendResponseHeaders(200, -1);
                    exchange.close();
                    return;
                }
                stalledRequest.countDown();
                try {
                    releaseStall.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                byte[] body = "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"no such image\"}]}"
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(404, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.createContext("/v2/trickle/", exchange -> {
                exchange.getResponseHeaders().add("Content-Type", "application/vnd.oci.image.manifest.v1+json");
                exchange.sendResponseHeaders(200, 0);
                trickleStarted.countDown();
                try {
                    // Leading whitespace is valid JSON and counts as progress; 120 s outlasts every wait above.
                    for (int i = 0; i < 120; i++) {
                        exchange.getResponseBody().write(' ');
                        exchange.getResponseBody().flush();
                        Thread.sleep(1000);
                    }
                } catch (IOException hungUp) {
                    trickleHungUp.countDown();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    exchange.close();
                }
            });
            server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
            server.start();
            return server;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String stallAddress() {
        return "127.0.0.1:" + stallingRegistry.getAddress().getPort();
    }
}
