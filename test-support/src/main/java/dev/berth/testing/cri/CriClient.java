package dev.berth.testing.cri;

import dev.berth.proto.runtime.v1.ImageServiceGrpc;
import dev.berth.proto.runtime.v1.RuntimeServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A generated CRI client on a unix socket, as the kubelet would hold one: berth's tests and the bench (against berth
 * and containerd) drive runtimes through it.
 */
public final class CriClient implements AutoCloseable {

    private final ManagedChannel channel;
    private final EventLoopGroup group;

    private CriClient(ManagedChannel channel, EventLoopGroup group) {
        this.channel = channel;
        this.group = group;
    }

    public static CriClient connect(Path socket) {
        return connect(socket, NettyChannelBuilder.DEFAULT_FLOW_CONTROL_WINDOW);
    }

    /** A client whose streams take at most {@code flowControlWindow} unread bytes from the server. */
    public static CriClient connect(Path socket, int flowControlWindow) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollDomainSocketChannel.class)
                .eventLoopGroup(group)
                // A Unix socket has no TCP keep-alives; asking for them only makes Netty warn per connection.
                .withOption(ChannelOption.SO_KEEPALIVE, null)
                .usePlaintext()
                // Go's gRPC server (containerd) checks nothing here, but an authority made of a path is odd to send.
                .overrideAuthority("localhost")
                .maxInboundMessageSize(16 * 1024 * 1024)
                .flowControlWindow(flowControlWindow)
                .build();
        return new CriClient(channel, group);
    }

    public RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime() {
        return RuntimeServiceGrpc.newBlockingStub(channel);
    }

    public RuntimeServiceGrpc.RuntimeServiceStub runtimeAsync() {
        return RuntimeServiceGrpc.newStub(channel);
    }

    public ImageServiceGrpc.ImageServiceBlockingStub images() {
        return ImageServiceGrpc.newBlockingStub(channel);
    }

    public ImageServiceGrpc.ImageServiceStub imagesAsync() {
        return ImageServiceGrpc.newStub(channel);
    }

    /** The channel itself, for calls no generated stub makes (raw bytes on a method). */
    public ManagedChannel channel() {
        return channel;
    }

    public HealthGrpc.HealthBlockingStub health() {
        return HealthGrpc.newBlockingStub(channel);
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
}
