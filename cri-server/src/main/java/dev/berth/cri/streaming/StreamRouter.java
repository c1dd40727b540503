package dev.berth.cri.streaming;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one HTTP request of a streaming connection: {@code /exec|attach|portforward/<token>}. The token is spent at
 * once (a request whose negotiation fails needs a new one, as with the kubelet); then the connection is upgraded to
 * SPDY or WebSocket and this handler leaves the pipeline. Every refusal is answered, logged once and the connection
 * closed; nothing was opened on the backend for it.
 */
final class StreamRouter extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(StreamRouter.class);
    private static final Pattern PATH = Pattern.compile("/(exec|attach|portforward)/([A-Za-z0-9_-]+)");
    /** Large stdin writes arrive as fragmented messages; this bounds one reassembled message. */
    private static final int MAX_WEBSOCKET_MESSAGE = 1 << 20;

    private final TokenCache tokens;
    private final StreamingBackend backend;
    private final Executor executor;
    private final StreamingSettings settings;

    StreamRouter(TokenCache tokens, StreamingBackend backend, Executor executor, StreamingSettings settings) {
        this.tokens = tokens;
        this.backend = backend;
        this.executor = executor;
        this.settings = settings;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            refuse(ctx, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request", List.of(), "?");
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        Matcher path = PATH.matcher(uri.path());
        if (!path.matches()) {
            refuse(ctx, HttpResponseStatus.NOT_FOUND, "404 page not found", List.of(), "?");
            return;
        }
        String kind = path.group(1);
        if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.POST.equals(request.method())) {
            refuse(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, request.method() + " is not allowed", List.of(), kind);
            return;
        }
        Optional<StreamRequest> found = tokens.consume(path.group(2)).filter(r -> r.kind().equals(kind));
        if (found.isEmpty()) {
            refuse(ctx, HttpResponseStatus.NOT_FOUND, "404 page not found", List.of(), kind);
            return;
        }
        StreamRequest streamRequest = found.get();
        Negotiation.Result result = Negotiation.decide(request.headers(),
                streamRequest instanceof StreamRequest.PortForward);
        if (result instanceof Negotiation.Refused refused) {
            refuse(ctx, refused.status(), refused.message(), refused.acceptedVersions(), kind);
        } else if (result instanceof Negotiation.Spdy spdy) {
            upgradeToSpdy(ctx, streamRequest, spdy.protocol());
        } else {
            upgradeToWebSocket(ctx, request, uri, streamRequest, (Negotiation.WebSocket) result);
        }
    }

    private void upgradeToSpdy(ChannelHandlerContext ctx, StreamRequest request, String protocol) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
                .set(HttpHeaderNames.UPGRADE, "SPDY/3.1")
                .set("X-Stream-Protocol-Version", protocol);
        ctx.writeAndFlush(response);
        FlowGates gates = new FlowGates(ctx.channel());
        SpdyStreamListener listener;
        if (request instanceof StreamRequest.PortForward forward) {
            listener = new SpdyPortForwardStreams(forward.sandboxId(), backend, executor, gates, ctx.channel(),
                    settings.streamCreationTimeout());
        } else {
            listener = new SpdyCommandStreams(new RemoteCommand(request, backend, executor, gates), protocol,
                    ctx.channel(), settings.streamCreationTimeout());
        }
        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.addAfter(ctx.name(), "spdy-connection", new SpdyConnection(listener, gates));
        pipeline.addAfter(ctx.name(), "spdy-codec", new SpdyFrameCodec(SpdyVersion.SPDY_3_1, true));
        pipeline.remove(HttpObjectAggregator.class);
        pipeline.remove(HttpServerCodec.class);
        pipeline.remove(this);
    }

    private void upgradeToWebSocket(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri,
                                    StreamRequest streamRequest, Negotiation.WebSocket protocol) {
        FlowGates gates = new FlowGates(ctx.channel());
        WsChannelListener listener;
        if (streamRequest instanceof StreamRequest.PortForward forward) {
            List<Integer> ports;
            try {
                ports = ports(uri, forward.ports());
            } catch (IllegalArgumentException e) {
                refuse(ctx, HttpResponseStatus.BAD_REQUEST, e.getMessage(), List.of(), streamRequest.kind());
                return;
            }
            listener = new WsPortForwardChannels(forward.sandboxId(), ports, backend, executor, gates);
        } else {
            listener = new WsCommandChannels(new RemoteCommand(streamRequest, backend, executor, gates),
                    protocol.statusJson());
        }
        String subprotocol = protocol.subprotocol().isEmpty() ? null : protocol.subprotocol();
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(
                "ws://" + request.headers().get(HttpHeaderNames.HOST, "localhost") + uri.path(), subprotocol,
                false, MAX_WEBSOCKET_MESSAGE).newHandshaker(request);
        if (handshaker == null) {
            refuse(ctx, HttpResponseStatus.UPGRADE_REQUIRED, "unsupported WebSocket version (13 is supported)",
                    List.of(), streamRequest.kind());
            return;
        }
        WebSocketChannels channels = new WebSocketChannels(listener, gates, protocol.base64(),
                protocol.closeSignals());
        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.addAfter(ctx.name(), "ws-channels", channels);
        pipeline.addAfter(ctx.name(), "ws-aggregator", new WebSocketFrameAggregator(MAX_WEBSOCKET_MESSAGE));
        pipeline.remove(this);
        handshaker.handshake(ctx.channel(), request).addListener(done -> {
            if (done.isSuccess()) {
                channels.open();
            } else {
                ctx.channel().close();
            }
        });
    }

    /** WebSocket port-forward names its ports in the URL ({@code ?ports=80,443}); else the CRI request's ports. */
    private static List<Integer> ports(QueryStringDecoder uri, List<Integer> requested) {
        List<String> values = uri.parameters().getOrDefault("ports", List.of());
        if (values.isEmpty()) {
            if (requested.isEmpty()) {
                throw new IllegalArgumentException("query parameter \"ports\" is required");
            }
            return requested;
        }
        List<Integer> ports = new ArrayList<>();
        for (String value : values) {
            for (String part : value.split(",")) {
                if (!part.matches("\\d{1,5}") || Integer.parseInt(part) < 1 || Integer.parseInt(part) > 65535) {
                    throw new IllegalArgumentException("unable to parse \"" + value + "\" as a port");
                }
                ports.add(Integer.parseInt(part));
            }
        }
        return ports;
    }

    private static void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, String message,
                               List<String> acceptedVersions, String kind) {
        log.info("streaming request refused kind={} status={} remote={} reason=\"{}\"", kind, status.code(),
                ctx.channel().remoteAddress(), message);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(message + "\n", StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        acceptedVersions.forEach(version -> response.headers().add("X-Accepted-Stream-Protocol-Versions", version));
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.info("streaming connection failed remote={} error={}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
