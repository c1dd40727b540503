package dev.berth.runtime.container;

/** What an ExecSync left: its exit code and captured output (each capped at 16 MiB). */
public record ExecResult(int exitCode, byte[] stdout, byte[] stderr) {
}
