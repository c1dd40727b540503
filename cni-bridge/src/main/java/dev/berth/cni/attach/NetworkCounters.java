package dev.berth.cni.attach;

import dev.berth.cni.NetworkObserver;
import dev.berth.cni.NetworkStats;
import java.util.concurrent.atomic.AtomicLong;

/** The counters behind {@link NetworkStats}, shared by the facade and the backends. */
public final class NetworkCounters {

    private final AtomicLong attaches = new AtomicLong();
    private final AtomicLong attachFailures = new AtomicLong();
    private final AtomicLong detaches = new AtomicLong();
    private final AtomicLong teardownErrors = new AtomicLong();
    private final AtomicLong pluginErrors = new AtomicLong();
    private final AtomicLong garbageCollected = new AtomicLong();
    private final NetworkObserver observer;

    public NetworkCounters(NetworkObserver observer) {
        this.observer = observer;
    }

    public NetworkCounters() {
        this(NetworkObserver.NONE);
    }

    /** A network operation ended; failures are also counted here, by the caller, as before. */
    public void operation(String plugin, String command, boolean failed) {
        observer.operation(plugin, command, failed);
    }

    public void attached() {
        attaches.incrementAndGet();
    }

    public void attachFailed() {
        attachFailures.incrementAndGet();
    }

    public void detached() {
        detaches.incrementAndGet();
    }

    public void teardownError() {
        teardownErrors.incrementAndGet();
    }

    public void pluginError() {
        pluginErrors.incrementAndGet();
    }

    public void collected() {
        garbageCollected.incrementAndGet();
    }

    public NetworkStats snapshot() {
        return new NetworkStats(attaches.get(), attachFailures.get(), detaches.get(), teardownErrors.get(),
                pluginErrors.get(), garbageCollected.get());
    }
}
