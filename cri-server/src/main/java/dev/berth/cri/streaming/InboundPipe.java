package dev.berth.cri.streaming;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Carries a client's bytes for one stream to a blocking {@link OutputStream} (the process's stdin, a forwarded
 * port) on a thread of its own, so the event loop never blocks. Bytes that arrive before the target exists wait in
 * the queue. When more than {@link #HIGH_WATER} bytes wait, the connection stops reading until the queue drains.
 */
final class InboundPipe implements InboundSink {

    static final int HIGH_WATER = 1 << 20;
    private static final byte[] END = new byte[0];

    private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
    private final FlowGates gates;
    private long queued;
    private boolean ended;

    InboundPipe(FlowGates gates) {
        this.gates = gates;
    }

    @Override
    public void data(byte[] bytes) {
        boolean pause;
        synchronized (this) {
            if (ended) {
                return;
            }
            queued += bytes.length;
            pause = queued > HIGH_WATER;
        }
        queue.add(bytes);
        if (pause) {
            gates.lagging(this, true);
        }
    }

    @Override
    public void end() {
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
        }
        queue.add(END);
    }

    /**
     * Starts delivering to {@code target} on {@code executor}; {@code onEnd} runs once the client's end of stream
     * was delivered (close stdin, half-close a socket). A write failure (the process closed its stdin) drops the
     * rest.
     */
    void deliverTo(OutputStream target, Runnable onEnd, Executor executor) {
        executor.execute(() -> {
            boolean writable = true;
            try {
                while (true) {
                    byte[] bytes = queue.take();
                    if (bytes == END) {
                        break;
                    }
                    if (writable) {
                        try {
                            target.write(bytes);
                            target.flush();
                        } catch (IOException e) {
                            writable = false;
                        }
                    }
                    boolean resume;
                    synchronized (this) {
                        queued -= bytes.length;
                        resume = queued <= HIGH_WATER / 4;
                    }
                    if (resume) {
                        gates.lagging(this, false);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                gates.lagging(this, false);
                onEnd.run();
            }
        });
    }
}
