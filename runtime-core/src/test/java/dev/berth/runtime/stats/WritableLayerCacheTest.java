package dev.berth.runtime.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.runtime.spi.WritableLayerUsage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WritableLayerCacheTest {

    private final AtomicLong now = new AtomicLong();
    private final AtomicInteger walks = new AtomicInteger();
    private final ConcurrentHashMap<String, Long> onDisk = new ConcurrentHashMap<>();

    private WritableLayerCache cache() {
        return new WritableLayerCache(id -> {
            walks.incrementAndGet();
            Long bytes = onDisk.get(id);
            if (bytes == null) {
                throw BerthException.notFound("container " + id + " has no rootfs");
            }
            return new WritableLayerUsage(Path.of("/var/lib/berth"), bytes, 1);
        }, Duration.ofSeconds(10), now::get);
    }

    @Test
    void onlyTheFirstCallWalksAndAStaleValueIsRefreshedInTheBackground() throws InterruptedException {
        WritableLayerCache cache = cache();
        onDisk.put("c", 100L);
        assertEquals(100, cache.usage("c").orElseThrow().usedBytes());
        onDisk.put("c", 200L);
        now.set(Duration.ofSeconds(9).toNanos());
        assertEquals(100, cache.usage("c").orElseThrow().usedBytes(), "still fresh: the kept value");
        assertEquals(1, walks.get());

        now.set(Duration.ofSeconds(11).toNanos());
        assertEquals(100, cache.usage("c").orElseThrow().usedBytes(), "stale: kept value now, refresh queued");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (cache.usage("c").orElseThrow().usedBytes() != 200) {
            assertTrue(System.nanoTime() < deadline, "the background refresh never landed");
            Thread.sleep(5);
        }
        assertEquals(2, walks.get(), "one refresh, however many calls saw the stale value");
    }

    @Test
    void aContainerWithoutLayerHasNoUsageAndRemovedOnesAreForgotten() {
        WritableLayerCache cache = cache();
        assertTrue(cache.usage("none").isEmpty());
        onDisk.put("gone", 5L);
        cache.usage("gone");
        cache.retainOnly(Set.of());
        onDisk.put("gone", 6L);
        assertEquals(6, cache.usage("gone").orElseThrow().usedBytes(), "measured afresh after being forgotten");
    }
}
