package dev.berth.runtime.stream;

import dev.berth.common.error.BerthException;
import dev.berth.runtime.host.monitor.StreamingExec;
import java.io.InputStream;
import java.io.OutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An exec's streams over its conmon attach connection. */
final class ExecSession implements Session {

    private static final Logger LOG = LoggerFactory.getLogger(ExecSession.class);

    private final StreamingExec exec;
    private final AttachStreams streams;
    private final boolean tty;

    ExecSession(StreamingExec exec, StdioRequest stdio) {
        this.exec = exec;
        this.tty = stdio.tty();
        this.streams = new AttachStreams(exec.socket(), stdio.stdin(), stdio.stdout(), stdio.stderr() && !stdio.tty(),
                stdio.tty() ? AttachStreams.StdinEnd.TERMINAL_EOF : AttachStreams.StdinEnd.HALF_CLOSE, "exec-io");
    }

    @Override
    public OutputStream stdin() {
        return streams.stdin();
    }

    @Override
    public InputStream stdout() {
        return streams.stdout();
    }

    @Override
    public InputStream stderr() {
        return streams.stderr();
    }

    @Override
    public void resize(int width, int height) {
        if (!tty) {
            return;
        }
        try {
            exec.resize(height, width);
        } catch (BerthException e) {
            // The process may have just ended; a resize is then moot.
            LOG.debug("event=exec_resize_failed error=\"{}\"", e.getMessage());
        }
    }

    @Override
    public int awaitExit() throws InterruptedException {
        int code = exec.awaitExit();
        // conmon drained the output before it reported: let the readers reach their end of stream too.
        streams.awaitEnd();
        return code;
    }

    /**
     * Returns at once: the server may call this on a network thread, and killing a running exec waits for its
     * processes (seconds at worst), so that part runs on a thread of its own, which ends with the exec.
     */
    @Override
    public void close() {
        // Output is dropped first (a stalled reader would stall conmon, which must be free to reap what is killed),
        // but the connection stays until the process is killed: closing it first would close the process's stdin,
        // and a process that ends on that EOF would leave its background children running.
        streams.discardOutput();
        if (exec.exited()) {
            streams.close();
            exec.close();
            return;
        }
        Thread killer = new Thread(() -> {
            exec.kill();
            streams.close();
            exec.close();
        }, "exec-kill");
        killer.setDaemon(true);
        killer.start();
    }
}
