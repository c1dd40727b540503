package dev.berth.runtime;

/**
 * What runtime-core reports for metrics: how long operations and their parts took, and how containers ended. The
 * daemon implements it with its metrics library; runtime-core only calls it. Calls come from request and
 * exit-watching threads and must return quickly.
 */
public interface RuntimeObserver {

    /** Reports nothing (tests and tools that need no metrics). */
    RuntimeObserver NONE = new RuntimeObserver() {
    };

    /** A sandbox or container create that succeeded, with the time of each of its parts. */
    default void operationTimed(OperationTiming timing) {
    }

    /**
     * A container's process ended and berth recorded it.
     *
     * @param reason the CRI reason: {@code Completed}, {@code Error} or {@code OOMKilled}
     */
    default void containerExited(String runtimeHandler, String reason) {
    }
}
