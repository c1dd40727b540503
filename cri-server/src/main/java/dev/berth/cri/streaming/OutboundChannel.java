package dev.berth.cri.streaming;

/** One stream or channel towards the client; used from streaming threads, may block while the client is slow. */
interface OutboundChannel {

    /** Sends the bytes; false when the connection is gone (the caller stops). */
    boolean send(byte[] bytes, int length);

    /** No more bytes on this stream (SPDY: FIN; WebSocket channels have no half-close, so nothing). */
    void finish();
}
