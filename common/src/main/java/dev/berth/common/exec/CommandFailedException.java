package dev.berth.common.exec;

import java.util.List;

/** An external command exited non-zero, timed out or could not be started; the message carries its stderr. */
public final class CommandFailedException extends RuntimeException {

    private final List<String> argv;
    private final int exitCode;
    private final String stderr;

    public CommandFailedException(List<String> argv, int exitCode, String stderr, String message) {
        super(message);
        this.argv = List.copyOf(argv);
        this.exitCode = exitCode;
        this.stderr = stderr;
    }

    public List<String> argv() {
        return argv;
    }

    /** The exit code, or -1 when the command timed out or never started. */
    public int exitCode() {
        return exitCode;
    }

    public String stderr() {
        return stderr;
    }
}
