package dev.berth.cri.streaming;

/** Where bytes a client sends on one stream or channel go; called on the connection's event loop, never blocks. */
interface InboundSink {

    void data(byte[] bytes);

    /** The client finished this stream (half-close), reset it, or the connection is gone. */
    void end();

    InboundSink DISCARD = new InboundSink() {
        @Override
        public void data(byte[] bytes) {
        }

        @Override
        public void end() {
        }
    };
}
