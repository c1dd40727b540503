package dev.berth.bench;

import dev.berth.proto.runtime.v1.ImageServiceGrpc;
import dev.berth.proto.runtime.v1.RuntimeServiceGrpc;
import dev.berth.proto.runtime.v1.VersionRequest;
import dev.berth.proto.runtime.v1.VersionResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A CRI v1 client on a unix socket, as the kubelet holds one: one channel, blocking stubs, a deadline per call.
 * Every runtime under test is driven through this same class.
 */
public final class CriEndpoint implements AutoCloseable {

    /** The kubelet's default --runtime-request-timeout. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(2);
    private static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    private final String label;
    private final Path socket;
    private final ManagedChannel channel;
    private final EventLoopGroup group;

    private CriEndpoint(String label, Path socket, ManagedChannel channel, EventLoopGroup group) {
        this.label = label;
        this.socket = socket;
        this.channel = channel;
        this.group = group;
    }

    public static CriEndpoint connect(String label, Path socket) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollDomainSocketChannel.class)
                .eventLoopGroup(group)
                // A Unix socket has no TCP keep-alives; asking for them only makes Netty warn per connection.
                .withOption(ChannelOption.SO_KEEPALIVE, null)
                .usePlaintext()
                // Go's gRPC server checks nothing here, but an authority made of a path is an odd thing to send.
                .overrideAuthority("localhost")
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .build();
        return new CriEndpoint(label, socket, channel, group);
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
        return RuntimeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    public ImageServiceGrpc.ImageServiceBlockingStub images() {
        return images(DEFAULT_DEADLINE);
    }

    public ImageServiceGrpc.ImageServiceBlockingStub images(Duration deadline) {
        return ImageServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    public VersionResponse version() {
        return runtime(Duration.ofSeconds(5)).version(VersionRequest.newBuilder().setVersion("v1").build());
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }

    @Override
    public String toString() {
        return label + "@" + socket;
    }
}
