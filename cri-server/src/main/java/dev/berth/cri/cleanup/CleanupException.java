package dev.berth.cri.cleanup;

/** Cleanup cannot go on (a daemon runs, a workload still runs, a step failed); the message says what to do. */
public final class CleanupException extends RuntimeException {

    public CleanupException(String message) {
        super(message);
    }
}
