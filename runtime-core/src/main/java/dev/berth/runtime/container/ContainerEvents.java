package dev.berth.runtime.container;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans container and sandbox events out to subscribers (GetContainerEvents streams). Publishing never blocks the
 * lifecycle operation: each subscriber has a bounded queue, and a subscriber whose queue is full is cut off (its
 * queue dropped, the subscription marked overflowed) so that its stream ends and the kubelet relists, rather than
 * carrying on with a silent gap in its events.
 */
public final class ContainerEvents {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerEvents.class);
    public static final int DEFAULT_CAPACITY = 1024;

    private final Set<Subscription> subscriptions = new CopyOnWriteArraySet<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong overflows = new AtomicLong();

    /** A subscriber's queue; close it when the stream ends. */
    public final class Subscription implements AutoCloseable {

        private final BlockingQueue<ContainerEvent> queue;
        private final AtomicBoolean overflowed = new AtomicBoolean();
        private final Runnable onOverflow;

        private Subscription(int capacity, Runnable onOverflow) {
            this.queue = new ArrayBlockingQueue<>(capacity);
            this.onOverflow = onOverflow;
        }

        /** The next event, waiting up to the timeout; empty when none came. */
        public Optional<ContainerEvent> poll(long timeout, TimeUnit unit) throws InterruptedException {
            return Optional.ofNullable(queue.poll(timeout, unit));
        }

        /** The next event, waiting as long as it takes. */
        public ContainerEvent take() throws InterruptedException {
            return queue.take();
        }

        /** True once this subscriber fell a whole queue behind; it gets no more events. */
        public boolean overflowed() {
            return overflowed.get();
        }

        private void offer(ContainerEvent event) {
            if (queue.offer(event)) {
                return;
            }
            if (overflowed.compareAndSet(false, true)) {
                subscriptions.remove(this);
                // The event that did not fit and the ones it queued are never delivered.
                long lost = 1 + queue.size();
                queue.clear();
                dropped.addAndGet(lost);
                overflows.incrementAndGet();
                LOG.warn("event=container_events_overflow capacity={} dropped={} action=closing_stream",
                        queue.remainingCapacity(), lost);
                onOverflow.run();
            }
        }

        @Override
        public void close() {
            subscriptions.remove(this);
        }
    }

    public Subscription subscribe() {
        return subscribe(DEFAULT_CAPACITY, () -> { });
    }

    /**
     * @param onOverflow runs once, on the publishing thread, when the queue overflows: it must only signal the
     *                   subscriber's own thread
     */
    public Subscription subscribe(int capacity, Runnable onOverflow) {
        Subscription subscription = new Subscription(capacity, onOverflow);
        subscriptions.add(subscription);
        return subscription;
    }

    public void publish(ContainerEvent event) {
        for (Subscription subscription : subscriptions) {
            subscription.offer(event);
        }
    }

    /** Events never delivered because their subscriber had fallen behind, since start. */
    public long dropped() {
        return dropped.get();
    }

    /** Subscribers cut off because they fell behind, since start. */
    public long overflows() {
        return overflows.get();
    }

    /** Subscribers now. */
    public int subscribers() {
        return subscriptions.size();
    }
}
