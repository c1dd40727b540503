package dev.berth.cri.metrics;

import dev.berth.cni.NetworkObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** CNI operations and errors by plugin type and command. */
public final class NetworkMetrics implements NetworkObserver {

    private final MeterRegistry registry;

    public NetworkMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void operation(String plugin, String command, boolean failed) {
        Counter operations = counter("berth.cni.operations", "CNI operations by plugin type and command", plugin,
                command);
        // Registered with the operations, so an error rate is 0 rather than absent until the first error.
        Counter errors = counter("berth.cni.errors", "CNI operations that failed, by plugin type and command",
                plugin, command);
        operations.increment();
        if (failed) {
            errors.increment();
        }
    }

    private Counter counter(String name, String description, String plugin, String command) {
        return Counter.builder(name).description(description).tag("plugin", plugin).tag("command", command)
                .register(registry);
    }
}
