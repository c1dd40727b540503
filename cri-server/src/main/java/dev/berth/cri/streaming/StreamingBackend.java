package dev.berth.cri.streaming;

import java.io.IOException;
import java.util.List;

/**
 * What the streaming server needs from the runtime: sessions as plain Java streams. The server only moves bytes
 * between these streams and the wire; it never knows about conmon or namespaces.
 *
 * <p>The {@code check} methods run inside the CRI call, so a request for a container that does not exist or is not
 * running fails there (NOT_FOUND / FAILED_PRECONDITION as a {@code BerthException}) instead of after the client has
 * already upgraded its connection. The other methods run later, on a streaming thread, once a client came with the
 * token; they may block (spawning a process, connecting), never on a network event loop.
 */
public interface StreamingBackend {

    void checkExec(String containerId);

    void checkAttach(String containerId);

    /** The sandbox exists and is ready (its network namespace can be reached). */
    void checkPortForward(String sandboxId);

    /** Starts {@code cmd} in the container with the requested stdio; the caller closes the session. */
    StreamSession exec(String containerId, List<String> cmd, StreamOptions options);

    /** Attaches to the container's own stdio; closing the session detaches and leaves the container running. */
    StreamSession attach(String containerId, StreamOptions options);

    /**
     * A TCP connection to {@code localhost:port} inside the sandbox's network. A port nothing listens on throws
     * (typically {@link java.net.ConnectException}); the message reaches the client on the stream's error channel.
     */
    PortConnection portForward(String sandboxId, int port) throws IOException;
}
