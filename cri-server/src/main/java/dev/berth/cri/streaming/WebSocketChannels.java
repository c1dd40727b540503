package dev.berth.cri.streaming;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The Kubernetes channel protocol on a WebSocket: every message starts with its channel number, one byte in binary
 * mode, one ASCII digit with a base64 body in the base64 variants. On v5, a message {@code [255, n]} closes channel
 * n for input. Control frames are answered here (pong for ping, close for close).
 */
final class WebSocketChannels extends ChannelInboundHandlerAdapter {

    /** v5's signal that the sender will write no more on the channel named in the next byte. */
    static final int CLOSE_SIGNAL = 255;

    private final WsChannelListener listener;
    private final FlowGates gates;
    private final boolean base64;
    private final boolean closeSignals;
    private Channel channel;
    private boolean closed;

    WebSocketChannels(WsChannelListener listener, FlowGates gates, boolean base64, boolean closeSignals) {
        this.listener = listener;
        this.gates = gates;
        this.base64 = base64;
        this.closeSignals = closeSignals;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    /** Called once the handshake response went out. */
    void open() {
        listener.opened(this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof BinaryWebSocketFrame frame && !base64) {
                ByteBuf content = frame.content();
                if (content.readableBytes() == 0) {
                    return;
                }
                int number = content.readUnsignedByte();
                if (number == CLOSE_SIGNAL && closeSignals) {
                    if (content.readableBytes() > 0) {
                        listener.closeSignal(content.readUnsignedByte());
                    }
                    return;
                }
                listener.data(number, ByteBufUtil.getBytes(content));
            } else if (msg instanceof TextWebSocketFrame frame && base64) {
                String text = frame.text();
                if (text.isEmpty()) {
                    return;
                }
                int number = text.charAt(0) - '0';
                try {
                    listener.data(number, Base64.getDecoder().decode(text.substring(1)));
                } catch (IllegalArgumentException e) {
                    // Not base64: the frame carries nothing usable.
                }
            } else if (msg instanceof PingWebSocketFrame ping) {
                ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
            } else if (msg instanceof CloseWebSocketFrame) {
                ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
                        .addListener(ChannelFutureListener.CLOSE);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** The sending half of one channel. WebSocket channels have no half-close, so finishing sends nothing. */
    OutboundChannel outbound(int number) {
        return new OutboundChannel() {
            @Override
            public boolean send(byte[] bytes, int length) {
                return WebSocketChannels.this.send(number, bytes, length);
            }

            @Override
            public void finish() {
            }
        };
    }

    /** Sends from a streaming thread, waiting while the client is slow; false when the connection is gone. */
    boolean send(int number, byte[] bytes, int length) {
        if (!gates.awaitWritable()) {
            return false;
        }
        write(number, bytes, length);
        return true;
    }

    /** Queues a message without waiting; for the event loop, which must never block. */
    void write(int number, byte[] bytes, int length) {
        if (base64) {
            String text = (char) ('0' + number) + Base64.getEncoder().encodeToString(
                    length == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, length));
            channel.writeAndFlush(new TextWebSocketFrame(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII)));
        } else {
            ByteBuf frame = Unpooled.buffer(length + 1);
            frame.writeByte(number);
            frame.writeBytes(bytes, 0, length);
            channel.writeAndFlush(new BinaryWebSocketFrame(frame));
        }
    }

    /** A normal close after everything written so far. */
    void close() {
        if (channel.isActive()) {
            channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        gates.changed();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!closed) {
            closed = true;
            gates.changed();
            listener.connectionClosed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
