package dev.berth.runtime.stream;

/** Which stdio a client asked for, and whether it runs on a terminal. */
public record StdioRequest(boolean stdin, boolean stdout, boolean stderr, boolean tty) {
}
