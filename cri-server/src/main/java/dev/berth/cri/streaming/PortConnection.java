package dev.berth.cri.streaming;

import java.io.InputStream;
import java.io.OutputStream;

/** One forwarded TCP connection into a sandbox. */
public interface PortConnection extends AutoCloseable {

    /** Bytes from the port; end of stream when the far side closed its half. */
    InputStream input();

    /** Bytes to the port. */
    OutputStream output();

    /** The client finished sending: half-close towards the port, reading goes on. */
    void shutdownOutput();

    @Override
    void close();
}
