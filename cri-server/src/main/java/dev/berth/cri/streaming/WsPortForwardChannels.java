package dev.berth.cri.streaming;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Port-forward over a channel WebSocket: for the i-th requested port, channel 2i carries data both ways and channel
 * 2i+1 carries errors to the client. The first message the server sends on each of them is the port number, two
 * bytes little-endian, so the client can tell which port a channel belongs to. One connection per port; the
 * WebSocket closes when all of them are over.
 */
final class WsPortForwardChannels implements WsChannelListener {

    private final String sandboxId;
    private final List<Integer> ports;
    private final StreamingBackend backend;
    private final Executor executor;
    private final FlowGates gates;
    private final List<ForwardedConnection> forwards = new ArrayList<>();

    WsPortForwardChannels(String sandboxId, List<Integer> ports, StreamingBackend backend, Executor executor,
                          FlowGates gates) {
        this.sandboxId = sandboxId;
        this.ports = List.copyOf(ports);
        this.backend = backend;
        this.executor = executor;
        this.gates = gates;
    }

    @Override
    public void opened(WebSocketChannels connection) {
        for (int i = 0; i < ports.size(); i++) {
            int port = ports.get(i);
            byte[] prefix = {(byte) port, (byte) (port >>> 8)};
            connection.write(2 * i, prefix, 2);
            connection.write(2 * i + 1, prefix, 2);
            // A WebSocket channel cannot be half-closed by the client: the forward ends with the port's output.
            forwards.add(new ForwardedConnection(sandboxId, port, backend, executor, gates,
                    connection.outbound(2 * i), connection.outbound(2 * i + 1), false));
        }
        CompletableFuture.allOf(forwards.stream().map(ForwardedConnection::done)
                .toArray(CompletableFuture[]::new)).whenComplete((ok, e) -> connection.close());
        forwards.forEach(ForwardedConnection::start);
    }

    @Override
    public void data(int channel, byte[] bytes) {
        if (channel % 2 == 0 && channel / 2 < forwards.size()) {
            forwards.get(channel / 2).fromClient().data(bytes);
        }
    }

    @Override
    public void closeSignal(int channel) {
        if (channel % 2 == 0 && channel / 2 < forwards.size()) {
            forwards.get(channel / 2).fromClient().end();
        }
    }

    @Override
    public void connectionClosed() {
        forwards.forEach(ForwardedConnection::abort);
    }
}
