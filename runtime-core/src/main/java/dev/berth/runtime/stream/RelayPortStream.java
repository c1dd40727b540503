package dev.berth.runtime.stream;

import java.io.BufferedReader;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A pod's port reached through a helper process: {@code nsenter --net=<pin> -- socat STDIO TCP4:127.0.0.1:<port>}.
 * The JVM never enters a namespace (setns on one of its threads would move that thread only, and the JVM's threads
 * are shared); the helper connects from inside the pod's network namespace and relays its stdin/stdout.
 *
 * <p>Why socat: it half-closes properly (stdin EOF becomes a TCP FIN, and it goes on reading the answer), reports a
 * failed connect at once on stderr and exits, and with {@code -d -d} says when its relay loop starts, which is how
 * this class knows the connection is up before it hands it out. busybox {@code nc} is not installed on nodes, and a
 * relay of berth's own would be one more binary to build and ship.
 */
final class RelayPortStream implements PortStream {

    // socat's notice once both ends are open.
    private static final String CONNECTED = "starting data transfer loop";
    private static final int MAX_MESSAGE_LINES = 20;
    private static final long REAP_SECONDS = 5;

    private final Process process;
    private final BufferedReader diagnostics;
    private final OutputStream output;

    private RelayPortStream(Process process, BufferedReader diagnostics) {
        this.process = process;
        this.diagnostics = diagnostics;
        this.output = new FlushingOutputStream(process.getOutputStream());
    }

    /**
     * Starts the helper and waits until it is connected; a port nothing listens on (or a helper that fails)
     * throws ConnectException with socat's message, and the helper is reaped.
     */
    static RelayPortStream connect(Path nsenter, Path socat, Path netns, int port, int timeoutSeconds)
            throws IOException {
        // -t: after the client's half-close, wait this long for the port's answer (socat's default is 0.5 s);
        // the streaming server's idle timeout and close() bound the session anyway. -b: copy in blocks as large as
        // the server's frames and a pipe's capacity instead of socat's 8 KiB (fewer syscalls for bulk transfers).
        List<String> argv = List.of(nsenter.toString(), "--net=" + netns, "--", socat.toString(),
                "-d", "-d", "-t", "86400", "-b", "65536", "STDIO",
                "TCP4:" + PortForwarder.LOOPBACK + ":" + port + ",nodelay,connect-timeout=" + timeoutSeconds);
        Process process = new ProcessBuilder(argv).start();
        BufferedReader stderr = new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        RelayPortStream stream = new RelayPortStream(process, stderr);
        List<String> said = new ArrayList<>();
        try {
            String line;
            while ((line = stderr.readLine()) != null) {
                if (line.contains(CONNECTED)) {
                    // Not read from here on: after this socat says only a few lines (at EOF, at exit), far less
                    // than a pipe holds, so it never blocks on them and no thread per connection is needed.
                    return stream;
                }
                if (said.size() < MAX_MESSAGE_LINES) {
                    said.add(line);
                }
            }
        } catch (IOException e) {
            stream.close();
            throw e;
        }
        stream.close();
        throw new ConnectException("port " + port + " in the pod's network namespace: " + errorOf(said));
    }

    /** socat's error lines ("... E connect(...): Connection refused") without their time stamp and PID. */
    private static String errorOf(List<String> lines) {
        List<String> errors = lines.stream().filter(l -> l.contains(" E ")).map(l -> l.substring(l.indexOf(" E ") + 3))
                .toList();
        List<String> shown = errors.isEmpty() ? lines : errors;
        return shown.isEmpty() ? "the relay exited without a message" : String.join("; ", shown);
    }

    @Override
    public InputStream input() {
        return process.getInputStream();
    }

    @Override
    public OutputStream output() {
        return output;
    }

    @Override
    public void shutdownOutput() {
        try {
            output.close();
        } catch (IOException e) {
            // The relay is gone already; close() reaps it.
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(REAP_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("port-forward relay " + process.pid() + " did not exit");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(process.getOutputStream());
            closeQuietly(process.getInputStream());
            closeQuietly(diagnostics);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // Closing a pipe end of a dead process: nothing to report.
        }
    }

    /** The JDK buffers a process's stdin; a relay must pass each write on at once. */
    private static final class FlushingOutputStream extends FilterOutputStream {

        FlushingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            out.flush();
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            out.flush();
        }
    }
}
