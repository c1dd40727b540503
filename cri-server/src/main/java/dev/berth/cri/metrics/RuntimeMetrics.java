package dev.berth.cri.metrics;

import dev.berth.runtime.OperationTiming;
import dev.berth.runtime.RuntimeObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/** runtime-core's reports as meters: create latencies with their parts, container exits by reason, OOM kills. */
public final class RuntimeMetrics implements RuntimeObserver {

    private static final String OOM_KILLED = "OOMKilled";

    private final MeterRegistry registry;
    private final Counter oomKills;

    public RuntimeMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.oomKills = Counter.builder("berth.oom.kills")
                .description("Containers killed by the kernel's OOM killer").register(registry);
    }

    @Override
    public void operationTimed(OperationTiming timing) {
        Timer.builder("berth.operation.duration")
                .description("Duration of a sandbox or container create, by runtime handler")
                .tag("operation", timing.operation())
                .tag("handler", timing.runtimeHandler())
                .serviceLevelObjectives(Buckets.OPERATION)
                .register(registry).record(timing.totalNanos(), TimeUnit.NANOSECONDS);
        timing.partNanos().forEach((part, nanos) -> Timer.builder("berth.operation.part.duration")
                .description("Duration of one part of a sandbox or container create, by runtime handler")
                .tag("operation", timing.operation())
                .tag("part", part)
                .tag("handler", timing.runtimeHandler())
                .serviceLevelObjectives(Buckets.OPERATION)
                .register(registry).record(nanos, TimeUnit.NANOSECONDS));
    }

    @Override
    public void containerExited(String runtimeHandler, String reason) {
        Counter.builder("berth.container.exits")
                .description("Container processes that ended, by CRI reason (Completed, Error, OOMKilled)")
                .tag("reason", reason)
                .tag("handler", runtimeHandler)
                .register(registry).increment();
        if (OOM_KILLED.equals(reason)) {
            oomKills.increment();
        }
    }
}
