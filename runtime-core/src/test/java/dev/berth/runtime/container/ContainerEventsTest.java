package dev.berth.runtime.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ContainerEventsTest {

    private static ContainerEvent event(int n) {
        return new ContainerEvent("c" + n, ContainerEventType.CONTAINER_CREATED, n, null, List.of());
    }

    @Test
    void aSubscriberThatFallsAQueueBehindIsCutOffAndCounted() throws Exception {
        ContainerEvents events = new ContainerEvents();
        AtomicInteger signalled = new AtomicInteger();
        ContainerEvents.Subscription slow = events.subscribe(3, signalled::incrementAndGet);
        ContainerEvents.Subscription fast = events.subscribe(100, () -> { });
        for (int i = 0; i < 5; i++) {
            events.publish(event(i));
        }
        assertTrue(slow.overflowed());
        assertEquals(1, signalled.get(), "the overflow is signalled once");
        // The 3 queued and the one that did not fit are lost; the fifth never reached the cut-off subscriber.
        assertEquals(4, events.dropped());
        assertEquals(1, events.overflows());
        assertEquals(1, events.subscribers());
        assertTrue(slow.poll(0, TimeUnit.SECONDS).isEmpty());
        assertFalse(fast.overflowed());
        for (int i = 0; i < 5; i++) {
            assertEquals("c" + i, fast.poll(0, TimeUnit.SECONDS).orElseThrow().containerId());
        }
    }
}
