package dev.berth.cri.metrics;

import dev.berth.common.error.BerthException;
import dev.berth.image.PullObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** Image pulls: by outcome and reason, in flight, bytes fetched and bytes not fetched because layers were present. */
public final class PullMetrics implements PullObserver {

    private final MeterRegistry registry;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Counter fetched;
    private final Counter present;

    public PullMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("berth.image.pulls.in.flight", inFlight, AtomicInteger::get)
                .description("PullImage calls running now").strongReference(true).register(registry);
        fetched = Counter.builder("berth.image.pull.fetched").baseUnit("bytes")
                .description("Compressed bytes pulls downloaded (or waited for, when another pull fetched them)")
                .register(registry);
        present = Counter.builder("berth.image.pull.skipped").baseUnit("bytes")
                .description("Compressed bytes of layers pulls did not fetch because the node had them")
                .register(registry);
    }

    @Override
    public void contentPulled(long bytesFetched, long bytesAlreadyPresent) {
        fetched.increment(bytesFetched);
        present.increment(bytesAlreadyPresent);
    }

    /** Runs one pull, counting it by outcome and reason (the error kind, e.g. {@code not_found}). */
    public <T> T record(Supplier<T> pull) {
        long started = System.nanoTime();
        inFlight.incrementAndGet();
        String outcome = "failure";
        String reason = "internal";
        try {
            T result = pull.get();
            outcome = "success";
            reason = "none";
            return result;
        } catch (BerthException e) {
            reason = e.kind().name().toLowerCase(Locale.ROOT);
            throw e;
        } finally {
            inFlight.decrementAndGet();
            Counter.builder("berth.image.pulls").description("PullImage calls by outcome and reason")
                    .tag("outcome", outcome).tag("reason", reason).register(registry).increment();
            Timer.builder("berth.image.pull.duration").description("PullImage duration by outcome")
                    .tag("outcome", outcome).serviceLevelObjectives(Buckets.REQUEST)
                    .register(registry).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }
}
