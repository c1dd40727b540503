package dev.berth.runtime.stream;

import java.io.InputStream;
import java.io.OutputStream;

/** One forwarded TCP connection to a port of a pod: bytes both ways, a half-close, and an end. */
public interface PortStream extends AutoCloseable {

    /** Bytes from the port; end of stream once the far side closed its half. */
    InputStream input();

    /** Bytes to the port (each write is sent at once). */
    OutputStream output();

    /** Nothing more to send: half-close towards the port, reading goes on. */
    void shutdownOutput();

    /** Ends the connection and releases everything it holds (a helper process is killed and reaped). */
    @Override
    void close();
}
