package dev.berth.cri.streaming;

import dev.berth.cri.server.StartupException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;

/**
 * The streaming server's listening socket, bound early in start-up: a port that is taken stops berth before it
 * changes anything on the host, and the URL's port is known before the server itself starts. Connections that
 * arrive in between wait in the backlog.
 */
public final class StreamingPort implements AutoCloseable {

    private static final int BACKLOG = 128;

    private final ServerSocketChannel socket;
    private final InetSocketAddress address;

    private StreamingPort(ServerSocketChannel socket, InetSocketAddress address) {
        this.socket = socket;
        this.address = address;
    }

    /** Binds {@code host:port} (port 0 picks a free one). */
    public static StreamingPort bind(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        InetSocketAddress wanted = new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
        if (wanted.isUnresolved()) {
            throw new StartupException("cannot serve streaming on " + hostPort + ": unknown host " + host
                    + " (set streaming.address to an address of this node)");
        }
        ServerSocketChannel socket = null;
        try {
            socket = ServerSocketChannel.open();
            socket.bind(wanted, BACKLOG);
            return new StreamingPort(socket, (InetSocketAddress) socket.getLocalAddress());
        } catch (IOException e) {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // Nothing was bound.
                }
            }
            throw new StartupException("cannot serve streaming on " + hostPort + ": " + e.getMessage()
                    + " (another process holds the port? set streaming.address to a free address; port 0 picks one)",
                    e);
        }
    }

    public InetSocketAddress address() {
        return address;
    }

    ServerSocketChannel socket() {
        return socket;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing a listening socket does not fail in a way anyone could act on.
        }
    }
}
