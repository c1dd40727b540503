package dev.berth.testing.streaming;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A SPDY/3.1 client as the Kubernetes clients use it: upgrade with {@code Connection: Upgrade},
 * {@code Upgrade: SPDY/3.1} and {@code X-Stream-Protocol-Version}, then open streams (odd IDs) with headers, write,
 * half-close with FIN, read until the server's FIN. Like the Kubernetes clients it keeps no flow-control windows.
 * Netty's SPDY codec only turns frames into bytes; the session logic is this class's own.
 */
public final class SpdyClient implements AutoCloseable {

    private final Socket socket;
    private final EmbeddedChannel codec = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1, false));
    private final Map<Integer, Stream> streams = new ConcurrentHashMap<>();
    private final CountDownLatch closedByServer = new CountDownLatch(1);
    private volatile boolean goAway;
    private int nextId = 1;

    /** One client stream: what the server sent on it, and whether it finished. */
    public final class Stream {
        private final int id;
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private final CountDownLatch replied = new CountDownLatch(1);
        private final CountDownLatch ended = new CountDownLatch(1);
        private volatile boolean reset;
        private boolean discard;
        private long count;

        private Stream(int id) {
            this.id = id;
        }

        public int id() {
            return id;
        }

        public void write(String text) throws IOException {
            write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        public void write(byte[] bytes) throws IOException {
            send(new DefaultSpdyDataFrame(id, Unpooled.wrappedBuffer(bytes)));
        }

        /** Half-close: the client sends no more on this stream. */
        public void close() throws IOException {
            DefaultSpdyDataFrame fin = new DefaultSpdyDataFrame(id);
            fin.setLast(true);
            send(fin);
        }

        /** Waits for the server's FIN (or reset, or the connection's end) and returns all it sent. */
        public String readAll() throws InterruptedException {
            if (!ended.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("stream " + id + " did not end; received so far: " + text());
            }
            return text();
        }

        /** Waits until the server sent at least {@code length} bytes on this stream. */
        public String awaitBytes(int length) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            synchronized (received) {
                while (received.size() < length && ended.getCount() > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    received.wait(Math.max(1, left / 1_000_000));
                }
                return received.toString(java.nio.charset.StandardCharsets.UTF_8);
            }
        }

        /**
         * From now on only counts what arrives instead of keeping it (bulk transfers, e.g. a benchmark's 100 MB
         * through a forwarded port); {@link #receivedBytes} and {@link #awaitCount} see the count.
         */
        public void discardData() {
            synchronized (received) {
                discard = true;
                count = received.size();
                received.reset();
            }
        }

        /** Bytes the server sent on this stream so far (kept or discarded). */
        public long receivedBytes() {
            synchronized (received) {
                return discard ? count : received.size();
            }
        }

        /** Waits until at least {@code bytes} arrived or the stream ended; returns the count then. */
        public long awaitCount(long bytes, long timeoutMillis) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            synchronized (received) {
                while (receivedBytes() < bytes && ended.getCount() > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    received.wait(Math.max(1, left / 1_000_000));
                }
                return receivedBytes();
            }
        }

        public boolean awaitReply() throws InterruptedException {
            return replied.await(30, TimeUnit.SECONDS) && !reset;
        }

        public boolean wasReset() {
            return reset;
        }

        private String text() {
            synchronized (received) {
                return received.toString(java.nio.charset.StandardCharsets.UTF_8);
            }
        }

        private void data(byte[] bytes) {
            synchronized (received) {
                if (discard) {
                    count += bytes.length;
                } else {
                    received.writeBytes(bytes);
                }
                received.notifyAll();
            }
        }

        private void end() {
            synchronized (received) {
                received.notifyAll();
            }
            replied.countDown();
            ended.countDown();
        }
    }

    private SpdyClient(Socket socket) {
        this.socket = socket;
        Thread reader = new Thread(this::readLoop, "spdy-client-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Upgrades; returns the client on 101, else throws with the refusal (see {@link #request}). */
    public static SpdyClient connect(String url, String... protocols) throws IOException {
        Socket socket = HttpUpgrade.connect(url);
        List<String[]> headers = new ArrayList<>();
        headers.add(new String[] {"Connection", "Upgrade"});
        headers.add(new String[] {"Upgrade", "SPDY/3.1"});
        for (String protocol : protocols) {
            headers.add(new String[] {"X-Stream-Protocol-Version", protocol});
        }
        HttpUpgrade.send(socket, url, headers);
        HttpUpgrade.Response response = HttpUpgrade.read(socket);
        if (response.status() != 101) {
            socket.close();
            throw new IOException("upgrade refused: " + response.status() + " " + response.body());
        }
        return new SpdyClient(socket);
    }

    /** Opens a stream with the given headers (names lower-case, as SPDY/3 wants them). */
    public synchronized Stream open(Map<String, String> headers) throws IOException {
        int id = nextId;
        nextId += 2;
        Stream stream = new Stream(id);
        streams.put(id, stream);
        DefaultSpdySynStreamFrame syn = new DefaultSpdySynStreamFrame(id, 0, (byte) 0);
        headers.forEach((name, value) -> syn.headers().add(name, value));
        send(syn);
        return stream;
    }

    /** Waits until the server closed the connection. */
    public boolean awaitServerClose() throws InterruptedException {
        return closedByServer.await(30, TimeUnit.SECONDS);
    }

    public boolean sawGoAway() {
        return goAway;
    }

    /** Drops the connection at once, as a client that vanished. */
    @Override
    public void close() throws IOException {
        socket.close();
    }

    private void send(Object frame) throws IOException {
        byte[] bytes;
        synchronized (codec) {
            codec.writeOutbound(frame);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuf buf;
            while ((buf = codec.readOutbound()) != null) {
                out.writeBytes(ByteBufUtil.getBytes(buf));
                buf.release();
            }
            bytes = out.toByteArray();
        }
        synchronized (socket) {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
        }
    }

    private void readLoop() {
        byte[] buffer = new byte[65536];
        try {
            InputStream in = socket.getInputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                List<Object> frames = new ArrayList<>();
                synchronized (codec) {
                    codec.writeInbound(Unpooled.copiedBuffer(buffer, 0, n));
                    Object frame;
                    while ((frame = codec.readInbound()) != null) {
                        frames.add(frame);
                    }
                }
                frames.forEach(this::dispatch);
            }
        } catch (IOException e) {
            // Socket closed by us or reset by the server: the connection is over.
        } finally {
            streams.values().forEach(Stream::end);
            closedByServer.countDown();
        }
    }

    private void dispatch(Object frame) {
        try {
            if (frame instanceof SpdySynReplyFrame reply) {
                Stream stream = streams.get(reply.streamId());
                if (stream != null) {
                    stream.replied.countDown();
                }
            } else if (frame instanceof SpdyDataFrame data) {
                Stream stream = streams.get(data.streamId());
                if (stream != null) {
                    stream.data(ByteBufUtil.getBytes(data.content()));
                    if (data.isLast()) {
                        stream.end();
                    }
                }
            } else if (frame instanceof SpdyRstStreamFrame rst) {
                Stream stream = streams.get(rst.streamId());
                if (stream != null) {
                    stream.reset = true;
                    stream.end();
                }
            } else if (frame instanceof SpdyGoAwayFrame) {
                goAway = true;
            }
        } finally {
            ReferenceCountUtil.release(frame);
        }
    }
}
