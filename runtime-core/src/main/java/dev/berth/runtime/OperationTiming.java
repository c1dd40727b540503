package dev.berth.runtime;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How long one operation took, as a whole and per part.
 *
 * @param operation    {@code sandbox_create} or {@code container_create}
 * @param runtimeHandler the OCI runtime handler the operation ran with
 * @param totalNanos   the whole operation
 * @param partNanos    its parts by name, in the order they ran (parts may overlap the rest of the operation)
 */
public record OperationTiming(String operation, String runtimeHandler, long totalNanos, Map<String, Long> partNanos) {

    public static final String SANDBOX_CREATE = "sandbox_create";
    public static final String CONTAINER_CREATE = "container_create";

    public OperationTiming {
        partNanos = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(partNanos));
    }

    /** Times the parts of one operation as they run; not thread-safe (one per operation). */
    public static final class Stopwatch {

        private final long started = System.nanoTime();
        private final Map<String, Long> parts = new LinkedHashMap<>();

        /** Adds the time since {@code sinceNanos} (a {@link System#nanoTime()} reading) to the part. */
        public void part(String name, long sinceNanos) {
            parts.merge(name, System.nanoTime() - sinceNanos, Long::sum);
        }

        /** Adds a duration measured elsewhere to the part. */
        public void addNanos(String name, long nanos) {
            parts.merge(name, nanos, Long::sum);
        }

        public long startedNanos() {
            return started;
        }

        public OperationTiming finish(String operation, String runtimeHandler) {
            return new OperationTiming(operation, runtimeHandler, System.nanoTime() - started, parts);
        }
    }
}
