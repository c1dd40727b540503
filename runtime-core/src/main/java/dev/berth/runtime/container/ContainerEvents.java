package dev.berth.runtime.container;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans container events out to subscribers (GetContainerEvents streams). Publishing never blocks the lifecycle
 * operation: each subscriber has a bounded queue, and a subscriber that stops reading loses its oldest events (the
 * kubelet's evented PLEG relists when it misses some).
 */
public final class ContainerEvents {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerEvents.class);
    private static final int DEFAULT_CAPACITY = 1024;

    private final Set<Subscription> subscriptions = new CopyOnWriteArraySet<>();

    /** A subscriber's queue; close it when the stream ends. */
    public final class Subscription implements AutoCloseable {

        private final BlockingQueue<ContainerEvent> queue;
        private final AtomicLong dropped = new AtomicLong();

        private Subscription(int capacity) {
            this.queue = new ArrayBlockingQueue<>(capacity);
        }

        /** The next event, waiting up to the timeout; empty when none came. */
        public Optional<ContainerEvent> poll(long timeout, TimeUnit unit) throws InterruptedException {
            return Optional.ofNullable(queue.poll(timeout, unit));
        }

        /** The next event, waiting as long as it takes. */
        public ContainerEvent take() throws InterruptedException {
            return queue.take();
        }

        /** How many events this subscriber lost because it did not keep up. */
        public long dropped() {
            return dropped.get();
        }

        private void offer(ContainerEvent event) {
            while (!queue.offer(event)) {
                if (queue.poll() != null && dropped.incrementAndGet() % 100 == 1) {
                    LOG.warn("event=container_events_dropped total={}", dropped.get());
                }
            }
        }

        @Override
        public void close() {
            subscriptions.remove(this);
        }
    }

    public Subscription subscribe() {
        return subscribe(DEFAULT_CAPACITY);
    }

    public Subscription subscribe(int capacity) {
        Subscription subscription = new Subscription(capacity);
        subscriptions.add(subscription);
        return subscription;
    }

    public void publish(ContainerEvent event) {
        for (Subscription subscription : subscriptions) {
            subscription.offer(event);
        }
    }
}
