package dev.berth.cri.streaming;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exec and attach over SPDY. The client opens one stream per stdio it asked for plus an error stream (and, with a
 * tty on v3 and later, a resize stream), each named by its {@code streamtype} header. The session starts once all
 * expected streams are there; a client that does not open them within the creation timeout is disconnected.
 * The outcome goes on the error stream: Status JSON on v4, plain text before.
 */
final class SpdyCommandStreams implements SpdyStreamListener {

    private static final Logger log = LoggerFactory.getLogger(SpdyCommandStreams.class);

    private final RemoteCommand command;
    private final String protocol;
    private final Channel channel;
    private final int expected;
    private final ScheduledFuture<?> timeout;
    private SpdyStream error;
    private SpdyStream stdout;
    private SpdyStream stderr;
    private int received;
    private boolean seenStdin;
    private boolean seenResize;

    SpdyCommandStreams(RemoteCommand command, String protocol, Channel channel, Duration creationTimeout) {
        this.command = command;
        this.protocol = protocol;
        this.channel = channel;
        StreamOptions options = command.options();
        boolean resizable = options.tty() && !protocol.equals("v2.channel.k8s.io")
                && !protocol.equals("channel.k8s.io");
        this.expected = 1 + (options.stdin() ? 1 : 0) + (options.stdout() ? 1 : 0) + (options.stderr() ? 1 : 0)
                + (resizable ? 1 : 0);
        this.timeout = channel.eventLoop().schedule(() -> {
            log.info("streaming client did not open its streams protocol={} received={} expected={} "
                    + "timeout_ms={}", protocol, received, expected, creationTimeout.toMillis());
            channel.close();
        }, creationTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean accept(SpdyStream stream) {
        return true;
    }

    @Override
    public void opened(SpdyStream stream) {
        switch (stream.header("streamtype")) {
            case "error" -> {
                if (error == null) {
                    error = stream;
                    received++;
                }
            }
            case "stdin" -> {
                if (!seenStdin) {
                    seenStdin = true;
                    stream.receiveInto(command.stdin());
                    received++;
                }
            }
            case "stdout" -> {
                if (stdout == null) {
                    stdout = stream;
                    received++;
                }
            }
            case "stderr" -> {
                if (stderr == null) {
                    stderr = stream;
                    received++;
                }
            }
            case "resize" -> {
                if (!seenResize) {
                    seenResize = true;
                    stream.receiveInto(command.resize());
                    received++;
                }
            }
            default -> log.info("streaming client opened an unknown stream type={}", stream.header("streamtype"));
        }
        if (received == expected && error != null) {
            timeout.cancel(false);
            command.start(new Wire());
        }
    }

    @Override
    public void connectionClosed() {
        timeout.cancel(false);
        command.clientGone();
    }

    private final class Wire implements CommandWire {

        @Override
        public OutboundChannel stdout() {
            return stdout;
        }

        @Override
        public OutboundChannel stderr() {
            return stderr;
        }

        @Override
        public void writeOutcome(CommandOutcome outcome) {
            byte[] bytes = protocol.equals("v4.channel.k8s.io") ? outcome.json() : outcome.text();
            if (bytes.length > 0) {
                error.send(bytes, bytes.length);
            }
            error.finish();
        }

        @Override
        public void close() {
            SpdyConnection.goAway(channel);
        }
    }
}
