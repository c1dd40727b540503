package dev.berth.cri.streaming;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.spdy.DefaultSpdyGoAwayFrame;
import io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.DefaultSpdyWindowUpdateFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdySessionStatus;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The server side of a SPDY/3.1 connection as the Kubernetes clients use it: the client opens every stream
 * (SYN_STREAM, odd IDs), the server answers each with a SYN_REPLY, data flows both ways, FIN half-closes, RST ends a
 * stream. Pings are echoed. The Kubernetes SPDY clients do not track flow-control windows, so the server does not
 * hold data back for them; it does grant window to the client for what it received, for clients that do.
 */
final class SpdyConnection extends ChannelInboundHandlerAdapter {

    private final SpdyStreamListener listener;
    private final Map<Integer, SpdyStream> streams = new HashMap<>();
    private final FlowGates gates;
    private boolean closed;

    SpdyConnection(SpdyStreamListener listener, FlowGates gates) {
        this.listener = listener;
        this.gates = gates;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof SpdySynStreamFrame syn) {
                synStream(ctx, syn);
            } else if (msg instanceof SpdyDataFrame frame) {
                data(ctx, frame);
            } else if (msg instanceof SpdyRstStreamFrame rst) {
                SpdyStream stream = streams.remove(rst.streamId());
                if (stream != null) {
                    stream.onReset();
                }
            } else if (msg instanceof SpdyPingFrame ping) {
                // Client pings carry odd IDs; echo them back unchanged.
                if ((ping.id() & 1) == 1) {
                    ctx.writeAndFlush(new io.netty.handler.codec.spdy.DefaultSpdyPingFrame(ping.id()));
                }
            } else if (msg instanceof SpdyGoAwayFrame) {
                // The client is leaving; it closes the TCP connection when its streams are done.
            }
            // SETTINGS, WINDOW_UPDATE and HEADERS carry nothing the Kubernetes protocols use.
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void synStream(ChannelHandlerContext ctx, SpdySynStreamFrame syn) {
        int id = syn.streamId();
        if (id % 2 == 0 || streams.containsKey(id)) {
            ctx.writeAndFlush(new DefaultSpdyRstStreamFrame(id, SpdyStreamStatus.PROTOCOL_ERROR));
            return;
        }
        Map<String, String> headers = new HashMap<>();
        syn.headers().forEach(header -> headers.putIfAbsent(header.getKey().toString().toLowerCase(Locale.ROOT),
                header.getValue().toString()));
        SpdyStream stream = new SpdyStream(id, headers, ctx.channel(), gates);
        if (!listener.accept(stream)) {
            ctx.writeAndFlush(new DefaultSpdyRstStreamFrame(id, SpdyStreamStatus.REFUSED_STREAM));
            return;
        }
        streams.put(id, stream);
        ctx.writeAndFlush(new DefaultSpdySynReplyFrame(id));
        if (syn.isLast()) {
            stream.onRemoteEnd();
        }
        listener.opened(stream);
    }

    private void data(ChannelHandlerContext ctx, SpdyDataFrame frame) {
        SpdyStream stream = streams.get(frame.streamId());
        int length = frame.content().readableBytes();
        if (stream == null) {
            return;
        }
        if (length > 0) {
            stream.onData(ByteBufUtil.getBytes(frame.content()));
            ctx.write(new DefaultSpdyWindowUpdateFrame(frame.streamId(), length));
            ctx.writeAndFlush(new DefaultSpdyWindowUpdateFrame(0, length));
        }
        if (frame.isLast()) {
            stream.onRemoteEnd();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        gates.changed();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeAll();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A broken frame or a reset socket: the connection is over either way.
        ctx.close();
    }

    /** Says goodbye and closes the connection once everything written so far has gone out. */
    static void goAway(io.netty.channel.Channel channel) {
        if (channel.isActive()) {
            channel.writeAndFlush(new DefaultSpdyGoAwayFrame(0, SpdySessionStatus.OK))
                    .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
        }
    }

    private void closeAll() {
        if (closed) {
            return;
        }
        closed = true;
        gates.changed();
        streams.values().forEach(SpdyStream::onReset);
        streams.clear();
        listener.connectionClosed();
    }
}
