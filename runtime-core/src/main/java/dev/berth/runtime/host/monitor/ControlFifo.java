package dev.berth.runtime.host.monitor;

import dev.berth.common.error.BerthException;
import dev.berth.runtime.host.sys.SyscallException;
import dev.berth.runtime.host.sys.Syscalls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A running conmon's control FIFO, {@code <bundle>/ctl}: one {@code "<type> <a> <b>\n"} message per write (conmon
 * 2.1.6 repeats the first message of a multi-message write). Opened non-blocking, so that a FIFO with no reader
 * (conmon gone) fails with ENXIO instead of hanging.
 */
record ControlFifo(Path bundle) {

    private static final int RESIZE = 1;
    private static final int REOPEN_LOG = 2;

    /** Asks conmon to reopen the container's log file (after the kubelet renamed it). */
    void reopenLog() {
        write(REOPEN_LOG, 0, 0);
    }

    /** Tells conmon the terminal's new size. */
    void resize(int rows, int cols) {
        if (rows <= 0 || cols <= 0 || rows > 65535 || cols > 65535) {
            throw BerthException.invalidArgument("invalid terminal size " + rows + "x" + cols);
        }
        write(RESIZE, rows, cols);
    }

    private void write(int type, int a, int b) {
        Path ctl = bundle.resolve("ctl");
        String message = type + " " + a + " " + b + "\n";
        try {
            Syscalls.writeFifo(ctl.toString(), message.getBytes(StandardCharsets.US_ASCII));
        } catch (SyscallException e) {
            if (e.errno() == Syscalls.ENXIO || e.errno() == Syscalls.ENOENT) {
                throw BerthException.failedPrecondition("container monitor is not running (" + ctl + ": "
                        + e.getMessage() + ")");
            }
            throw BerthException.internal("cannot write " + ctl + ": " + e.getMessage(), e);
        }
    }
}
