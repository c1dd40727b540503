package dev.berth.runtime.host.monitor;

import dev.berth.runtime.host.sys.Syscalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executor;

/**
 * A conmon berth spawned ({@link ConmonSpawner}): its first process (berth's child, which berth must reap), the write
 * end of its start pipe and the read end of its sync pipe, and the file that holds its stderr. Not thread-safe: one
 * owner.
 */
final class ConmonProcess implements AutoCloseable {

    private static final int MAX_DIAGNOSTICS = 2000;

    private final int pid;
    private final SyncPipe sync;
    private final Path stderrFile;
    private final Executor reapers;
    private int startFd;
    private boolean reaped;

    ConmonProcess(int pid, int startFd, SyncPipe sync, Path stderrFile, Executor reapers) {
        this.pid = pid;
        this.startFd = startFd;
        this.sync = sync;
        this.stderrFile = stderrFile;
        this.reapers = reapers;
    }

    int pid() {
        return pid;
    }

    SyncPipe sync() {
        return sync;
    }

    /** Writes the start byte: conmon goes on to run the runtime. */
    void release() {
        try {
            Syscalls.write(startFd, new byte[] {0});
        } finally {
            Syscalls.close(startFd);
            startFd = -1;
        }
    }

    /**
     * The first of two start bytes of an exec with {@code --exec-attach}: conmon goes on to make its attach socket
     * (and says so on the attach pipe); the second ({@link #release}) lets it run the process.
     */
    void releaseForAttach() {
        Syscalls.write(startFd, new byte[] {0});
    }

    /** Reaps conmon's first process: at once if it has exited, else in the background. */
    void reap() {
        if (reaped) {
            return;
        }
        reaped = true;
        if (Syscalls.waitpid(pid, false) == -1) {
            reapers.execute(() -> Syscalls.waitpid(pid, true));
        }
    }

    /** Waits (on a pidfd, no polling) until conmon's first process has exited and reaps it; false at the deadline. */
    boolean awaitExit(long deadline) {
        if (reaped) {
            return true;
        }
        int fd = Syscalls.pidfdOpen(pid);
        if (fd >= 0) {
            try {
                if (!Syscalls.awaitReadable(fd, Math.max(0, (deadline - System.nanoTime()) / 1_000_000))) {
                    return false;
                }
            } finally {
                Syscalls.close(fd);
            }
        }
        reaped = true;
        Syscalls.waitpid(pid, true);
        return true;
    }

    /** SIGKILLs conmon's first process and reaps it; for a conmon that never got its start byte. */
    void kill() {
        Syscalls.kill(pid, Syscalls.SIGKILL);
        reaped = true;
        Syscalls.waitpid(pid, true);
    }

    /** SIGKILLs conmon's first process and what it started, then reaps it. */
    void killTree() {
        if (!reaped) {
            ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(ProcessHandle::destroyForcibly));
            kill();
        }
    }

    /** The end of conmon's stderr, as a suffix for an error message (empty if it said nothing). */
    String diagnostics() {
        try {
            String text = Files.exists(stderrFile) ? Files.readString(stderrFile).strip() : "";
            if (text.length() > MAX_DIAGNOSTICS) {
                text = text.substring(text.length() - MAX_DIAGNOSTICS);
            }
            return text.isEmpty() ? "" : ": " + text;
        } catch (IOException e) {
            return "";
        }
    }

    /** Closes berth's pipe ends (the start pipe's too, if never released). */
    @Override
    public void close() {
        Syscalls.close(startFd);
        startFd = -1;
        sync.close();
    }
}
