package dev.berth.runtime.stream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** A host-network pod's port: the pod shares the node's network, so the JVM connects itself. */
final class SocketPortStream implements PortStream {

    private final Socket socket;

    private SocketPortStream(Socket socket) {
        this.socket = socket;
    }

    /** Connects to 127.0.0.1:port; a port nothing listens on throws ConnectException at once. */
    static SocketPortStream connect(int port, int timeoutMillis) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(PortForwarder.LOOPBACK, port), timeoutMillis);
            return new SocketPortStream(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    @Override
    public InputStream input() {
        try {
            return socket.getInputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public OutputStream output() {
        try {
            return socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void shutdownOutput() {
        try {
            if (!socket.isClosed() && !socket.isOutputShutdown()) {
                socket.shutdownOutput();
            }
        } catch (IOException e) {
            // The connection is already gone; close() follows.
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // Nothing left to release.
        }
    }
}
