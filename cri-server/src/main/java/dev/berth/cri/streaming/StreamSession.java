package dev.berth.cri.streaming;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * One exec or attach session. The server reads {@link #stdout()} and {@link #stderr()} until end of stream, feeds
 * {@link #stdin()}, forwards terminal resizes, and calls {@link #close()} exactly once when it is done with the
 * session, whether it ended normally or the client went away.
 */
public interface StreamSession extends AutoCloseable {

    /** The process's stdin, or null when not requested; closing it is EOF for the process. */
    OutputStream stdin();

    /** The process's stdout (with a tty: the terminal's output), or null when not requested. */
    InputStream stdout();

    /** The process's stderr, or null when not requested or with a tty. */
    InputStream stderr();

    /** The client's terminal size changed; ignored without a tty. */
    void resize(int width, int height);

    /**
     * Exec: waits for the process and returns its exit code. Attach: returns when the container exits or the session
     * ends (the code is then not reported to the client).
     */
    int awaitExit() throws InterruptedException;

    /** Client gone or session over: an exec process is killed (if still running) and reaped; attach detaches. */
    @Override
    void close();
}
