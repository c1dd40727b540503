package dev.berth.cri.streaming;

import dev.berth.common.error.BerthException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend of real host processes and real loopback TCP, for the protocol tests: "container" IDs are names,
 * {@code missing} does not exist and {@code stopped} is not running. Exec runs the command on the host; attach runs
 * {@code cat} (a container that echoes its stdin); a tty is not emulated (stdout carries the process's merged
 * output) but resizes are recorded. Port-forward connects to 127.0.0.1:port. Every session and connection close is
 * counted, so tests can tell nothing was left open.
 */
final class ProcessBackend implements StreamingBackend {

    final AtomicInteger sessionsOpened = new AtomicInteger();
    final AtomicInteger sessionsClosed = new AtomicInteger();
    final AtomicInteger connectionsOpened = new AtomicInteger();
    final AtomicInteger connectionsClosed = new AtomicInteger();
    final LinkedBlockingQueue<String> resizes = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<String> closes = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<Integer> connectionCloses = new LinkedBlockingQueue<>();

    @Override
    public void checkExec(String containerId) {
        check(containerId);
    }

    @Override
    public void checkAttach(String containerId) {
        check(containerId);
    }

    @Override
    public void checkPortForward(String sandboxId) {
        if (sandboxId.equals("missing")) {
            throw BerthException.notFound("pod sandbox " + sandboxId + " not found");
        }
    }

    private static void check(String containerId) {
        if (containerId.equals("missing")) {
            throw BerthException.notFound("container " + containerId + " not found");
        }
        if (containerId.equals("stopped")) {
            throw BerthException.failedPrecondition("container " + containerId + " is not running");
        }
    }

    @Override
    public StreamSession exec(String containerId, List<String> cmd, StreamOptions options) {
        return start(cmd, options);
    }

    @Override
    public StreamSession attach(String containerId, StreamOptions options) {
        return start(List.of("cat"), options);
    }

    private StreamSession start(List<String> cmd, StreamOptions options) {
        ProcessBuilder builder = new ProcessBuilder(cmd);
        if (!options.stdin()) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        if (!options.stdout()) {
            builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        if (options.tty()) {
            builder.redirectErrorStream(true);
        } else if (!options.stderr()) {
            builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sessionsOpened.incrementAndGet();
        return new StreamSession() {
            private final AtomicInteger closed = new AtomicInteger();

            @Override
            public OutputStream stdin() {
                return options.stdin() ? process.getOutputStream() : null;
            }

            @Override
            public InputStream stdout() {
                return options.stdout() ? process.getInputStream() : null;
            }

            @Override
            public InputStream stderr() {
                return options.stderr() && !options.tty() ? process.getErrorStream() : null;
            }

            @Override
            public void resize(int width, int height) {
                resizes.add(width + "x" + height);
            }

            @Override
            public int awaitExit() throws InterruptedException {
                return process.waitFor();
            }

            @Override
            public void close() {
                if (closed.incrementAndGet() != 1) {
                    throw new AssertionError("session closed twice");
                }
                process.destroyForcibly();
                try {
                    process.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                sessionsClosed.incrementAndGet();
                closes.add(String.join(" ", cmd));
            }
        };
    }

    @Override
    public PortConnection portForward(String sandboxId, int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        connectionsOpened.incrementAndGet();
        return new PortConnection() {
            @Override
            public InputStream input() {
                try {
                    return socket.getInputStream();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public OutputStream output() {
                try {
                    return socket.getOutputStream();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public void shutdownOutput() {
                try {
                    socket.shutdownOutput();
                } catch (IOException e) {
                    // Already closed.
                }
            }

            @Override
            public void close() {
                try {
                    socket.close();
                } catch (IOException e) {
                    // Nothing to do.
                }
                connectionsClosed.incrementAndGet();
                connectionCloses.add(port);
            }
        };
    }
}
