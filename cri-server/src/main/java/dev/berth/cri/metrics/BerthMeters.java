package dev.berth.cri.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.CompletableFuture;

/**
 * The daemon's meter registry: every name under {@code berth_} (the JVM and process meters of the library too), with
 * the JVM's memory, GC, threads and the process's open file descriptors.
 *
 * <p>The JVM and process meters are bound on a thread of their own: binding them loads the JVM's management beans,
 * about 0.1 s of work that would otherwise delay serving. {@link #scrape} waits for them, so even a scrape during
 * start-up has them.
 */
public final class BerthMeters implements AutoCloseable {

    static final String PREFIX = "berth.";

    private final PrometheusMeterRegistry registry;
    private final CompletableFuture<JvmGcMetrics> jvmMeters;

    public BerthMeters() {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().startsWith(PREFIX) ? id : id.withName(PREFIX + id.getName());
            }
        });
        jvmMeters = new CompletableFuture<>();
        Thread binder = new Thread(() -> bindJvmMeters(registry, jvmMeters), "jvm-meters");
        binder.setDaemon(true);
        binder.start();
    }

    private static void bindJvmMeters(PrometheusMeterRegistry registry, CompletableFuture<JvmGcMetrics> done) {
        try {
            new JvmMemoryMetrics().bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ClassLoaderMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new FileDescriptorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
            JvmGcMetrics gc = new JvmGcMetrics();
            gc.bindTo(registry);
            done.complete(gc);
        } catch (RuntimeException | LinkageError e) {
            done.completeExceptionally(e);
        }
    }

    /** The registry berth's own meters register with. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The registry's content in the given exposition format, once the JVM and process meters are bound. */
    public String scrape(String contentType) {
        jvmMeters.join();
        return registry.scrape(contentType);
    }

    @Override
    public void close() {
        // A daemon that stops while the binder still runs waits for it, so the GC listeners it adds are removed.
        jvmMeters.thenAccept(JvmGcMetrics::close).exceptionally(e -> null).join();
        registry.close();
    }
}
