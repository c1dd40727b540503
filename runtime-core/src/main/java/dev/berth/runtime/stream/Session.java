package dev.berth.runtime.stream;

import java.io.InputStream;
import java.io.OutputStream;

/** One exec or attach session as Java streams (null for a stream not asked for; stderr is null with a tty). */
public interface Session extends AutoCloseable {

    OutputStream stdin();

    InputStream stdout();

    InputStream stderr();

    /** The client's terminal changed size; ignored without a tty. */
    void resize(int width, int height);

    /** Exec: the exit code. Attach: returns when the container's output ends or the session closed (code -1). */
    int awaitExit() throws InterruptedException;

    /** Exec: kills and reaps the process if it still runs. Attach: detaches, the container runs on. */
    @Override
    void close();
}
