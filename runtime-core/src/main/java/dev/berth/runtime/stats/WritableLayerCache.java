package dev.berth.runtime.stats;

import dev.berth.common.error.BerthException;
import dev.berth.runtime.spi.WritableLayerUsage;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writable-layer usage kept between stats calls. Measuring a layer walks its tree, so a stats call never does it
 * for a container already measured: it gets the kept value, and a value older than the maximum age is re-measured in
 * the background (one thread, one refresh per container at a time). Only a container's first stats call measures
 * in the caller's thread. The value is at most {@code maxAge} plus one walk old.
 */
public final class WritableLayerCache {

    private static final Logger LOG = LoggerFactory.getLogger(WritableLayerCache.class);

    /** A kept measurement; {@code measuredAt} on the monotonic clock. */
    private record Kept(WritableLayerUsage usage, long measuredAt, boolean refreshing) {
    }

    private final Function<String, WritableLayerUsage> measure;
    private final long maxAgeNanos;
    private final LongSupplier monotonicNanos;
    private final ExecutorService refresher;
    private final Map<String, Kept> kept = new ConcurrentHashMap<>();

    /**
     * @param measure walks a container's writable layer (the rootfs provider); may throw when it has none
     */
    public WritableLayerCache(Function<String, WritableLayerUsage> measure, Duration maxAge,
                              LongSupplier monotonicNanos) {
        this.measure = measure;
        this.maxAgeNanos = maxAge.toNanos();
        this.monotonicNanos = monotonicNanos;
        // The thread ends when idle, so the cache needs no closing.
        ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, "berth-layer-usage");
                    thread.setDaemon(true);
                    return thread;
                });
        executor.allowCoreThreadTimeOut(true);
        this.refresher = executor;
    }

    /** The kept usage of a container's writable layer; empty when it cannot be measured (it has none). */
    public Optional<WritableLayerUsage> usage(String containerId) {
        Kept current = kept.get(containerId);
        if (current == null) {
            Optional<WritableLayerUsage> first = measureQuietly(containerId);
            first.ifPresent(usage -> kept.putIfAbsent(containerId, new Kept(usage, monotonicNanos.getAsLong(),
                    false)));
            return first;
        }
        if (monotonicNanos.getAsLong() - current.measuredAt() >= maxAgeNanos && !current.refreshing()) {
            Kept marked = new Kept(current.usage(), current.measuredAt(), true);
            if (kept.replace(containerId, current, marked)) {
                refresher.execute(() -> refresh(containerId));
            }
        }
        return Optional.of(current.usage());
    }

    /** Drops kept values of containers not in {@code live} (removed meanwhile). */
    public void retainOnly(Set<String> live) {
        kept.keySet().retainAll(live);
    }

    private void refresh(String containerId) {
        Optional<WritableLayerUsage> fresh = measureQuietly(containerId);
        kept.computeIfPresent(containerId, (id, old) -> fresh
                .map(usage -> new Kept(usage, monotonicNanos.getAsLong(), false))
                .orElse(new Kept(old.usage(), old.measuredAt(), false)));
    }

    private Optional<WritableLayerUsage> measureQuietly(String containerId) {
        try {
            return Optional.of(measure.apply(containerId));
        } catch (BerthException | UncheckedIOException e) {
            LOG.debug("event=writable_layer_usage_failed container={} error=\"{}\"", containerId, e.getMessage());
            return Optional.empty();
        }
    }
}
