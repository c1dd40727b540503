package dev.berth.cri.streaming;

import io.netty.channel.Channel;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Back-pressure for one connection, both ways. Towards the client, writers wait while Netty's outbound buffer is
 * above its high-water mark, so a client that stops reading stops the process's output instead of filling the
 * daemon's heap. From the client, any stream whose consumer lags pauses reading the whole connection (TCP then
 * holds the client back); reading resumes when no stream lags.
 */
final class FlowGates {

    private final Channel channel;
    private final Map<Object, Boolean> lagging = new IdentityHashMap<>();

    FlowGates(Channel channel) {
        this.channel = channel;
    }

    /** Blocks until the channel can take more output; false when it closed. */
    boolean awaitWritable() {
        synchronized (this) {
            while (channel.isActive() && !channel.isWritable()) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return channel.isActive();
        }
    }

    /** Called from the pipeline on writability changes and on close. */
    synchronized void changed() {
        notifyAll();
    }

    void lagging(Object consumer, boolean lags) {
        boolean read;
        synchronized (lagging) {
            if (lags) {
                lagging.put(consumer, Boolean.TRUE);
            } else {
                lagging.remove(consumer);
            }
            read = lagging.isEmpty();
        }
        channel.config().setAutoRead(read);
    }
}
