package dev.berth.cri.server;

/** The daemon cannot start; the message says why and what to do, and is printed without a stack trace. */
public final class StartupException extends RuntimeException {

    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
