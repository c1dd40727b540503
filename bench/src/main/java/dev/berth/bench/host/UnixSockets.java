package dev.berth.bench.host;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/** Whether a daemon listens on a unix socket yet. */
public final class UnixSockets {

    private UnixSockets() {
    }

    public static boolean accepts(Path socket) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            return channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException notYet) {
            return false;
        }
    }
}
