package dev.berth.testing.streaming;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client (RFC 6455 framing written out here: masked client frames, 7/16/64-bit lengths) for the
 * Kubernetes channel protocol: each binary message is one channel byte and a payload; v5's {@code [255, n]} closes
 * channel n. Messages the server sends are collected per channel, in order, as received.
 */
public final class ChannelWebSocketClient implements AutoCloseable {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final Socket socket;
    private final String protocol;
    private final ConcurrentHashMap<Integer, List<byte[]>> messages = new ConcurrentHashMap<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final SecureRandom random = new SecureRandom();
    private volatile boolean closeFrame;

    private ChannelWebSocketClient(Socket socket, String protocol) {
        this.socket = socket;
        this.protocol = protocol;
        Thread reader = new Thread(this::readLoop, "ws-client-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Handshakes offering {@code subprotocols} in order; throws with the status and body when refused. */
    public static ChannelWebSocketClient connect(String url, String... subprotocols) throws IOException {
        Socket socket = HttpUpgrade.connect(url);
        byte[] nonce = new byte[16];
        new SecureRandom().nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        List<String[]> headers = new ArrayList<>();
        headers.add(new String[] {"Connection", "Upgrade"});
        headers.add(new String[] {"Upgrade", "websocket"});
        headers.add(new String[] {"Sec-WebSocket-Version", "13"});
        headers.add(new String[] {"Sec-WebSocket-Key", key});
        if (subprotocols.length > 0) {
            headers.add(new String[] {"Sec-WebSocket-Protocol", String.join(", ", subprotocols)});
        }
        HttpUpgrade.send(socket, url, headers);
        HttpUpgrade.Response response = HttpUpgrade.read(socket);
        if (response.status() != 101) {
            socket.close();
            throw new RefusedException(response);
        }
        if (!accept(key).equals(response.header("Sec-WebSocket-Accept"))) {
            socket.close();
            throw new IOException("bad Sec-WebSocket-Accept " + response.header("Sec-WebSocket-Accept"));
        }
        String chosen = response.header("Sec-WebSocket-Protocol");
        return new ChannelWebSocketClient(socket, chosen == null ? "" : chosen);
    }

    /** A refused handshake, with the server's response. */
    public static final class RefusedException extends IOException {
        private final HttpUpgrade.Response response;

        RefusedException(HttpUpgrade.Response response) {
            super("handshake refused: " + response.status() + " " + response.body());
            this.response = response;
        }

        public HttpUpgrade.Response response() {
            return response;
        }
    }

    public String protocol() {
        return protocol;
    }

    public void send(int channel, byte[] payload) throws IOException {
        byte[] message = new byte[payload.length + 1];
        message[0] = (byte) channel;
        System.arraycopy(payload, 0, message, 1, payload.length);
        writeFrame(0x2, message);
    }

    public void send(int channel, String text) throws IOException {
        send(channel, text.getBytes(StandardCharsets.UTF_8));
    }

    /** v5: the client writes no more on {@code channel}. */
    public void closeChannel(int channel) throws IOException {
        writeFrame(0x2, new byte[] {(byte) 255, (byte) channel});
    }

    /** Everything received on {@code channel}, in order. */
    public List<byte[]> messages(int channel) {
        return List.copyOf(messages.getOrDefault(channel, List.of()));
    }

    public String text(int channel) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        messages(channel).forEach(all::writeBytes);
        return all.toString(StandardCharsets.UTF_8);
    }

    /** Waits until the channel carried {@code text} (concatenated), or the connection ended. */
    public String awaitText(int channel, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        synchronized (messages) {
            while (!text(channel).contains(text) && closed.getCount() > 0 && System.nanoTime() < deadline) {
                messages.wait(100);
            }
        }
        return text(channel);
    }

    /** Waits for the server to end the connection; true if it did. */
    public boolean awaitClosed() throws InterruptedException {
        return closed.await(30, TimeUnit.SECONDS);
    }

    public boolean receivedCloseFrame() {
        return closeFrame;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private synchronized void writeFrame(int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x80 | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        random.nextBytes(mask);
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        OutputStream out = socket.getOutputStream();
        out.write(frame.toByteArray());
        out.flush();
    }

    private void readLoop() {
        try {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            ByteArrayOutputStream fragments = new ByteArrayOutputStream();
            while (true) {
                int first = in.readUnsignedByte();
                int second = in.readUnsignedByte();
                long length = second & 0x7f;
                if (length == 126) {
                    length = in.readUnsignedShort();
                } else if (length == 127) {
                    length = in.readLong();
                }
                byte[] payload = new byte[(int) length];
                in.readFully(payload);
                int opcode = first & 0x0f;
                if (opcode == 0x8) {
                    closeFrame = true;
                    break;
                }
                if (opcode == 0x9) {
                    writeFrame(0xA, payload);
                    continue;
                }
                if (opcode == 0xA) {
                    continue;
                }
                fragments.writeBytes(payload);
                if ((first & 0x80) != 0) {
                    deliver(opcode, fragments.toByteArray());
                    fragments.reset();
                }
            }
        } catch (IOException e) {
            // Connection ended.
        } finally {
            closed.countDown();
            synchronized (messages) {
                messages.notifyAll();
            }
        }
    }

    private void deliver(int opcode, byte[] message) {
        if (message.length == 0) {
            return;
        }
        int channel;
        byte[] payload;
        if (protocol.contains("base64")) {
            String text = new String(message, StandardCharsets.US_ASCII);
            channel = text.charAt(0) - '0';
            payload = Base64.getDecoder().decode(text.substring(1));
        } else {
            channel = message[0] & 0xff;
            payload = java.util.Arrays.copyOfRange(message, 1, message.length);
        }
        synchronized (messages) {
            messages.computeIfAbsent(channel, k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                    .add(payload);
            messages.notifyAll();
        }
    }

    private static String accept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
