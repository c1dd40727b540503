package dev.berth.cri.wiring;

import dev.berth.cri.streaming.PortConnection;
import dev.berth.cri.streaming.StreamOptions;
import dev.berth.cri.streaming.StreamSession;
import dev.berth.cri.streaming.StreamingBackend;
import dev.berth.runtime.stream.PortStream;
import dev.berth.runtime.stream.Session;
import dev.berth.runtime.stream.StdioRequest;
import dev.berth.runtime.stream.StreamSessions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/** The streaming server's backend over runtime-core's sessions: only type adaptation, no behaviour of its own. */
public final class RuntimeStreamingBackend implements StreamingBackend {

    private final StreamSessions sessions;

    public RuntimeStreamingBackend(StreamSessions sessions) {
        this.sessions = sessions;
    }

    @Override
    public void checkExec(String containerId) {
        sessions.checkExec(containerId);
    }

    @Override
    public void checkAttach(String containerId) {
        sessions.checkAttach(containerId);
    }

    @Override
    public void checkPortForward(String sandboxId) {
        sessions.checkPortForward(sandboxId);
    }

    @Override
    public StreamSession exec(String containerId, List<String> cmd, StreamOptions options) {
        return new Stream(sessions.exec(containerId, cmd, stdio(options)));
    }

    @Override
    public StreamSession attach(String containerId, StreamOptions options) {
        return new Stream(sessions.attach(containerId, stdio(options)));
    }

    @Override
    public PortConnection portForward(String sandboxId, int port) throws IOException {
        return new Port(sessions.portForward(sandboxId, port));
    }

    private static StdioRequest stdio(StreamOptions options) {
        return new StdioRequest(options.stdin(), options.stdout(), options.stderr(), options.tty());
    }

    private record Stream(Session session) implements StreamSession {

        @Override
        public OutputStream stdin() {
            return session.stdin();
        }

        @Override
        public InputStream stdout() {
            return session.stdout();
        }

        @Override
        public InputStream stderr() {
            return session.stderr();
        }

        @Override
        public void resize(int width, int height) {
            session.resize(width, height);
        }

        @Override
        public int awaitExit() throws InterruptedException {
            return session.awaitExit();
        }

        @Override
        public void close() {
            session.close();
        }
    }

    private record Port(PortStream stream) implements PortConnection {

        @Override
        public InputStream input() {
            return stream.input();
        }

        @Override
        public OutputStream output() {
            return stream.output();
        }

        @Override
        public void shutdownOutput() {
            stream.shutdownOutput();
        }

        @Override
        public void close() {
            stream.close();
        }
    }
}
