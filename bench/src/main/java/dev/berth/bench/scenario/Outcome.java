package dev.berth.bench.scenario;

import dev.berth.bench.stats.Samples;
import dev.berth.bench.stats.StepException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one scenario gave on one runtime. */
public sealed interface Outcome {

    /** Timings per step, in the order the steps ran, plus remarks (throughput, pod IP, oddities). */
    record Measured(Map<String, Samples> steps, List<String> notes) implements Outcome {
        public Measured {
            steps = Collections.unmodifiableMap(new LinkedHashMap<>(steps));
            notes = List.copyOf(notes);
        }
    }

    /** The runtime answered UNIMPLEMENTED for {@code method}: that part of it is not built yet. */
    record Unimplemented(String method) implements Outcome {
    }

    record Failed(String step, String message) implements Outcome {
    }

    /** UNIMPLEMENTED anywhere in the scenario makes the whole row "unimplemented"; anything else is a failure. */
    static Outcome of(StepException e) {
        Throwable cause = e.getCause();
        if (cause instanceof StatusRuntimeException grpc && grpc.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
            return new Unimplemented(e.step());
        }
        String message = cause instanceof StatusRuntimeException grpc ? grpc.getStatus().getCode() + ": "
                + grpc.getStatus().getDescription() : String.valueOf(cause.getMessage());
        return new Failed(e.step(), message);
    }
}
