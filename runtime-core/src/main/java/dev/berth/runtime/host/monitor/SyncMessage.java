package dev.berth.runtime.host.monitor;

/**
 * One line of conmon's sync pipe ({@code --api-version}): {@code data} is a PID or an exit code, negative when the
 * runtime failed (then {@code message} holds its stderr) or the exec timed out.
 */
record SyncMessage(long data, String message) {

    boolean failed() {
        return data < 0;
    }

    /** conmon's -T fired: it killed the exec's process group and says "command timed out". */
    boolean timedOut() {
        return data < 0 && message.contains("timed out");
    }
}
