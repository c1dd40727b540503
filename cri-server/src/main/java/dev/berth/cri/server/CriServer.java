package dev.berth.cri.server;

import dev.berth.common.exec.DaemonThreads;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The gRPC server on the CRI unix socket: services behind error mapping and metrics, plus gRPC health. */
public final class CriServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CriServer.class);

    private final Path socket;
    private final Server server;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService requests;
    private final HealthStatusManager health;
    private final UnixSocketFile socketFile;
    private final Duration shutdownGrace;

    private CriServer(Path socket, Server server, EventLoopGroup boss, EventLoopGroup workers,
                      ExecutorService requests, HealthStatusManager health, UnixSocketFile socketFile,
                      Duration shutdownGrace) {
        this.socket = socket;
        this.server = server;
        this.boss = boss;
        this.workers = workers;
        this.requests = requests;
        this.health = health;
        this.socketFile = socketFile;
        this.shutdownGrace = shutdownGrace;
    }

    /** Binds the socket (caller holds the socket lock) and starts serving. */
    public static CriServer start(Path socket, int maxMessageBytes, Duration shutdownGrace,
                                  List<BindableService> services, MeterRegistry metrics) {
        UnixSocketFile socketFile = new UnixSocketFile(socket);
        socketFile.prepare();
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        ExecutorService requests = Executors.newCachedThreadPool(DaemonThreads.numbered("cri-request"));
        HealthStatusManager health = new HealthStatusManager();
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(workers)
                .maxInboundMessageSize(maxMessageBytes)
                // gRPC asks every accepted TCP connection for keep-alives; a Unix socket has none to give, and
                // Netty would log a warning for each kubelet connection.
                .withChildOption(ChannelOption.SO_KEEPALIVE, null)
                // Calls start on the transport thread; InMemoryCalls moves the ones that may block to the pool.
                .directExecutor()
                .addService(health.getHealthService());
        ErrorMappingInterceptor errors = new ErrorMappingInterceptor();
        MetricsInterceptor timing = new MetricsInterceptor(metrics);
        for (BindableService service : services) {
            // The last interceptor added runs first: time the call as the client sees it.
            builder.addService(InMemoryCalls.dispatch(ServerInterceptors.intercept(
                    RequestDecoding.of(service.bindService()), errors, timing), requests));
        }
        Server server = builder.build();
        try {
            server.start();
        } catch (IOException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            requests.shutdownNow();
            throw new StartupException("cannot listen on " + socket + ": " + e.getMessage(), e);
        }
        socketFile.restrictMode();
        health.setStatus("", ServingStatus.SERVING);
        for (BindableService service : services) {
            health.setStatus(service.bindService().getServiceDescriptor().getName(), ServingStatus.SERVING);
        }
        log.info("serving socket={}", socket);
        return new CriServer(socket, server, boss, workers, requests, health, socketFile, shutdownGrace);
    }

    public Path socket() {
        return socket;
    }

    /** Stops accepting, lets in-flight calls finish within the grace period, then cuts the rest off. */
    @Override
    public void close() {
        health.enterTerminalState();
        server.shutdown();
        try {
            if (!server.awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("in-flight calls still running after grace period; cancelling them grace_ms={}",
                        shutdownGrace.toMillis());
                server.shutdownNow();
                server.awaitTermination(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
        // The server has terminated: no call is left on the pool.
        requests.shutdownNow();
        socketFile.delete();
        log.info("stopped socket={}", socket);
    }
}
