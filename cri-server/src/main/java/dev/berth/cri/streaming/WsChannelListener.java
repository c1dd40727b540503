package dev.berth.cri.streaming;

/** What a channel WebSocket serves (exec/attach or port-forward); called on the event loop. */
interface WsChannelListener {

    /** The connection is open: send the protocol's opening frames. */
    void opened(WebSocketChannels connection);

    void data(int channel, byte[] bytes);

    /** v5: the client will send nothing more on {@code channel}. */
    void closeSignal(int channel);

    void connectionClosed();
}
