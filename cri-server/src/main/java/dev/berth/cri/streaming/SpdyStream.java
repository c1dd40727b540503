package dev.berth.cri.streaming;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One stream the client opened on a SPDY connection: its headers (names lower-case, as SPDY/3 sends them), bytes
 * from the client delivered to a sink (held until one is set), and the server's half for writing.
 */
final class SpdyStream implements OutboundChannel {

    private final int id;
    private final Map<String, String> headers;
    private final Channel channel;
    private final FlowGates gates;
    private final List<byte[]> early = new ArrayList<>();
    private InboundSink sink;
    private boolean remoteEnded;
    private boolean localFinished;

    SpdyStream(int id, Map<String, String> headers, Channel channel, FlowGates gates) {
        this.id = id;
        this.headers = Map.copyOf(headers);
        this.channel = channel;
        this.gates = gates;
    }

    int id() {
        return id;
    }

    /** A header's value, or "" when absent. */
    String header(String name) {
        return headers.getOrDefault(name, "");
    }

    /** Sets where the client's bytes go; bytes that came before are delivered now. Event loop only. */
    void receiveInto(InboundSink target) {
        sink = target;
        early.forEach(target::data);
        early.clear();
        if (remoteEnded) {
            target.end();
        }
    }

    void onData(byte[] bytes) {
        if (remoteEnded) {
            return;
        }
        if (sink == null) {
            early.add(bytes);
        } else {
            sink.data(bytes);
        }
    }

    void onRemoteEnd() {
        if (remoteEnded) {
            return;
        }
        remoteEnded = true;
        if (sink != null) {
            sink.end();
        }
    }

    @Override
    public boolean send(byte[] bytes, int length) {
        if (!gates.awaitWritable()) {
            return false;
        }
        synchronized (this) {
            if (localFinished) {
                return false;
            }
            channel.writeAndFlush(new DefaultSpdyDataFrame(id, Unpooled.copiedBuffer(bytes, 0, length)));
        }
        return true;
    }

    @Override
    public void finish() {
        synchronized (this) {
            if (localFinished) {
                return;
            }
            localFinished = true;
        }
        if (channel.isActive()) {
            DefaultSpdyDataFrame fin = new DefaultSpdyDataFrame(id);
            fin.setLast(true);
            channel.writeAndFlush(fin);
        }
    }

    /** Ends both directions (the client reset the stream, or the server gives up on it). */
    void reset() {
        synchronized (this) {
            if (localFinished) {
                return;
            }
            localFinished = true;
        }
        if (channel.isActive()) {
            channel.writeAndFlush(new DefaultSpdyRstStreamFrame(id, SpdyStreamStatus.CANCEL));
        }
    }

    /** The client reset the stream: nothing more goes either way. */
    void onReset() {
        synchronized (this) {
            localFinished = true;
        }
        onRemoteEnd();
    }
}
