package dev.berth.cri.streaming;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server behind the URLs that Exec, Attach and PortForward return. One Netty event loop does all network
 * I/O; the blocking side of each stream (backend calls, stdio copies) runs on a pool of streaming threads that
 * exist only while streams do.
 */
public final class StreamingServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StreamingServer.class);
    /** An upgrade request is a few headers; anything larger is not a streaming client. */
    private static final int MAX_REQUEST = 64 * 1024;

    private final EventLoopGroup group;
    private final ExecutorService streams;
    private final Channel server;
    private final ChannelGroup connections;
    private final InetSocketAddress address;

    private StreamingServer(EventLoopGroup group, ExecutorService streams, Channel server, ChannelGroup connections,
                            InetSocketAddress address) {
        this.group = group;
        this.streams = streams;
        this.server = server;
        this.connections = connections;
        this.address = address;
    }

    /** Starts serving on the already bound {@code port}; {@code tls} may be null for plain HTTP. */
    public static StreamingServer start(StreamingPort port, StreamingSettings settings, SslContext tls,
                                        TokenCache tokens, StreamingBackend backend) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("berth-streaming", true),
                NioIoHandler.newFactory());
        ExecutorService streams = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), new DefaultThreadFactory("berth-stream-io", true));
        ChannelGroup connections = new DefaultChannelGroup("streaming", GlobalEventExecutor.INSTANCE);
        long idleMillis = settings.idleTimeout().toMillis();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channelFactory(() -> new NioServerSocketChannel(port.socket()))
                // Accepting starts only once the pipeline below is in place.
                .option(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        connections.add(channel);
                        if (tls != null) {
                            channel.pipeline().addLast("tls", tls.newHandler(channel.alloc()));
                        }
                        channel.pipeline().addLast("idle", new IdleStateHandler(0, 0, idleMillis,
                                        TimeUnit.MILLISECONDS))
                                .addLast("idle-close", new IdleCloser())
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(MAX_REQUEST))
                                .addLast("router", new StreamRouter(tokens, backend, streams, settings));
                    }
                });
        Channel server = bootstrap.register().syncUninterruptibly().channel();
        server.config().setAutoRead(true);
        log.info("streaming server listening address={} tls={}", port.address(), tls != null);
        return new StreamingServer(group, streams, server, connections, port.address());
    }

    public InetSocketAddress address() {
        return address;
    }

    /** Client connections currently open (for tests and diagnostics). */
    public int openConnections() {
        // A closed channel leaves the group from a close listener, which may run a moment later.
        return (int) connections.stream().filter(Channel::isOpen).count();
    }

    /** The open client connections; each one's close future completes when it is gone. */
    List<Channel> connections() {
        return List.copyOf(connections);
    }

    /** Stops accepting, closes every stream (their sessions are closed as for a client that left). */
    @Override
    public void close() {
        server.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
        streams.shutdown();
    }

    /** A connection with no traffic either way for the idle timeout is closed, whatever it carries. */
    private static final class IdleCloser extends ChannelDuplexHandler {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof IdleStateEvent) {
                log.info("streaming connection idle, closing remote={}", ctx.channel().remoteAddress());
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(event);
            }
        }
    }
}
