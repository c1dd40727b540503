package dev.berth.cri.streaming;

/**
 * Exec and attach over a channel WebSocket: channel 0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize. On open the
 * server sends an empty message on the lowest channel it writes (clients wait for it to know the stream is live).
 * The outcome goes on channel 3: Status JSON on v4 and v5, text on the older protocols. v5 clients end stdin with
 * a close signal for channel 0.
 */
final class WsCommandChannels implements WsChannelListener {

    static final int STDIN = 0;
    static final int STDOUT = 1;
    static final int STDERR = 2;
    static final int ERROR = 3;
    static final int RESIZE = 4;

    private final RemoteCommand command;
    private final boolean statusJson;

    WsCommandChannels(RemoteCommand command, boolean statusJson) {
        this.command = command;
        this.statusJson = statusJson;
    }

    @Override
    public void opened(WebSocketChannels connection) {
        StreamOptions options = command.options();
        int first = options.stdout() ? STDOUT : options.stderr() ? STDERR : ERROR;
        connection.write(first, new byte[0], 0);
        command.start(new CommandWire() {
            @Override
            public OutboundChannel stdout() {
                return options.stdout() ? connection.outbound(STDOUT) : null;
            }

            @Override
            public OutboundChannel stderr() {
                return options.stderr() ? connection.outbound(STDERR) : null;
            }

            @Override
            public void writeOutcome(CommandOutcome outcome) {
                byte[] bytes = statusJson ? outcome.json() : outcome.text();
                if (bytes.length > 0) {
                    connection.send(ERROR, bytes, bytes.length);
                }
            }

            @Override
            public void close() {
                connection.close();
            }
        });
    }

    @Override
    public void data(int channel, byte[] bytes) {
        if (channel == STDIN) {
            command.stdin().data(bytes);
        } else if (channel == RESIZE) {
            command.resize().data(bytes);
        }
    }

    @Override
    public void closeSignal(int channel) {
        if (channel == STDIN) {
            command.stdin().end();
        }
    }

    @Override
    public void connectionClosed() {
        command.clientGone();
    }
}
