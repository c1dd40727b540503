package dev.berth.runtime.stream;

import dev.berth.runtime.host.sys.SeqPacketSocket;
import dev.berth.runtime.host.sys.SyscallException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Java streams over one connection to a conmon attach socket. conmon sends packets of one stream byte (2 stdout,
 * 3 stderr; always 2 with a tty) and up to 8192 bytes; it takes stdin as raw packets of at most 32 KiB (the rest of a
 * bigger one is lost) and reads a half-close (SHUT_WR) as stdin's end. One thread per connection reads and demuxes,
 * always draining (a reader that stops stalls conmon and the container); streams nobody asked for are dropped.
 */
final class AttachStreams implements AutoCloseable {

    private static final int STDOUT = 2;
    private static final int STDERR = 3;
    private static final int MAX_STDIN_PACKET = 32 * 1024;
    private static final int PACKET = 8192 + 1;
    private static final int QUEUE = 64 * 1024;

    private final SeqPacketSocket socket;
    private final ByteQueue stdout;
    private final ByteQueue stderr;
    private final OutputStream stdin;
    private final Thread reader;

    private final StdinEnd stdinEnd;

    /** What the end of the client's stdin does to the process's input. */
    enum StdinEnd {
        /** Half-close the connection: conmon closes the process's stdin pipe (or, attached, only for stdin_once). */
        HALF_CLOSE,
        /**
         * Type the terminal's end-of-file (VEOF, ^D, twice after an unfinished line: the first one only ends the
         * line), as a user at the terminal would: a reader in canonical mode such as {@code cat} sees EOF, output
         * still flows. A half-close would make conmon close the terminal's master: output lost, process hung up.
         */
        TERMINAL_EOF,
    }

    AttachStreams(SeqPacketSocket socket, boolean wantStdin, boolean wantStdout, boolean wantStderr,
            StdinEnd stdinEnd, String name) {
        this.socket = socket;
        this.stdinEnd = stdinEnd;
        this.stdout = wantStdout ? new ByteQueue(QUEUE) : null;
        this.stderr = wantStderr ? new ByteQueue(QUEUE) : null;
        this.stdin = wantStdin ? new Stdin() : null;
        this.reader = new Thread(this::pump, name);
        reader.setDaemon(true);
        reader.start();
    }

    InputStream stdout() {
        return stdout;
    }

    InputStream stderr() {
        return stderr;
    }

    OutputStream stdin() {
        return stdin;
    }

    /** Waits until conmon closed the connection (the process or container ended) or {@link #close} ran. */
    void awaitEnd() throws InterruptedException {
        reader.join();
    }

    private void pump() {
        byte[] packet = new byte[PACKET];
        try {
            int length;
            while ((length = socket.receive(packet)) > 0) {
                ByteQueue target = packet[0] == STDERR ? stderr : packet[0] == STDOUT ? stdout : null;
                if (target != null) {
                    target.put(packet, 1, length - 1);
                }
            }
        } catch (SyscallException | InterruptedException e) {
            // The connection ended under us (close()); the streams end too.
        } finally {
            if (stdout != null) {
                stdout.finish();
            }
            if (stderr != null) {
                stderr.finish();
            }
        }
    }

    /** The client is gone: drop what is buffered and what comes, so that the reader keeps draining conmon. */
    void discardOutput() {
        if (stdout != null) {
            stdout.close();
        }
        if (stderr != null) {
            stderr.close();
        }
    }

    /** Detaches: wakes the reader, waits for it, then releases the fd (no call in flight can reuse it). */
    @Override
    public void close() {
        socket.shutdown(SeqPacketSocket.SHUT_RDWR);
        discardOutput();
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        socket.close();
    }

    /** Writes go out as packets of at most 32 KiB; close() ends the input as {@link StdinEnd} says. */
    private final class Stdin extends OutputStream {

        private static final byte VEOF = 4;

        private boolean closed;
        private boolean atLineStart = true;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
            if (closed) {
                throw new IOException("stdin is closed");
            }
            try {
                for (int done = 0; done < length; ) {
                    int chunk = Math.min(MAX_STDIN_PACKET, length - done);
                    byte[] packet = offset + done == 0 && chunk == bytes.length ? bytes
                            : java.util.Arrays.copyOfRange(bytes, offset + done, offset + done + chunk);
                    socket.send(packet, chunk);
                    done += chunk;
                }
                if (length > 0) {
                    byte last = bytes[offset + length - 1];
                    atLineStart = last == '\n' || last == '\r';
                }
            } catch (SyscallException e) {
                throw new IOException("stdin: " + e.getMessage(), e);
            }
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                if (stdinEnd == StdinEnd.HALF_CLOSE) {
                    socket.shutdown(SeqPacketSocket.SHUT_WR);
                } else {
                    byte[] eof = atLineStart ? new byte[] {VEOF} : new byte[] {VEOF, VEOF};
                    try {
                        socket.send(eof, eof.length);
                    } catch (SyscallException e) {
                        // The exec ended meanwhile: its input is gone anyway.
                    }
                }
            }
        }
    }
}
