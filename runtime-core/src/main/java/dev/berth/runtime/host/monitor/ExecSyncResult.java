package dev.berth.runtime.host.monitor;

/** The outcome of a synchronous exec: exit code -1 and {@code timedOut} when the deadline killed it. */
public record ExecSyncResult(int exitCode, byte[] stdout, byte[] stderr, boolean timedOut) {
}
