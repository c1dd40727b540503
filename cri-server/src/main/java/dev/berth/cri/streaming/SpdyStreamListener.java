package dev.berth.cri.streaming;

/** What a SPDY connection serves (exec/attach or port-forward); called on the event loop. */
interface SpdyStreamListener {

    /** A new stream from the client; false refuses it (the client gets a reset). */
    boolean accept(SpdyStream stream);

    /** The stream was accepted and the reply sent: the listener may now use it. */
    void opened(SpdyStream stream);

    /** The connection is gone; everything using it must stop. */
    void connectionClosed();
}
