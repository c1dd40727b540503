package dev.berth.runtime.host.monitor;

import dev.berth.runtime.host.sys.Syscalls;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The processes of one exec-sync, and how to end them all before the call returns.
 *
 * <p>Who they are: the exec'd process (its PID is conmon's first sync message) runs in a session of its own, and
 * its conmon is a child subreaper that runs in the foreground ({@code --sync}), so every process the exec starts is
 * a descendant of that conmon, or still in the exec's session or process group. (An orphan goes to conmon only in
 * the host's PID namespace: the kernel's search for a subreaper stops at a PID namespace's edge, so inside the
 * container's own namespace it goes to that namespace's init and is found by its session or group; one that both
 * left them with setsid and lost its parent there is not found.) Nothing else is: the container's init and other
 * execs have their own sessions and monitors. Only those are ever signalled.
 *
 * <p>Why the order: conmon reaps its children only while it waits for the exec'd process. Once that one is reaped it
 * writes the exit, reaps the zombies it has at exit and is gone; a process that dies after that becomes a zombie of
 * init, visible in the container until init gets to it. So the exec'd process is stopped first, everything else is
 * killed and awaited, and the exec'd process is killed last: by the time conmon reports, it has reaped them all.
 * A stop signal does not end a fork that is under way, so the exec'd process is scanned for children only once it
 * has stopped: by then its fork is complete and the child visible. A kill does end one (or the child is visible by
 * the time the kill returns), so once a scan finds nobody new after the kills, it found them all.
 */
final class ExecTree {

    private static final int SIGSTOP = 19;
    private static final long REAP_POLL_MILLIS = 5;
    private static final long STOP_POLL_NANOS = 100_000;

    private final long conmonPid;
    private final long execPid;
    // Every process of the exec berth has seen, so that each can be awaited after conmon is gone.
    private final Map<Long, ProcTable.Proc> seen = new LinkedHashMap<>();

    ExecTree(long conmonPid, long execPid) {
        this.conmonPid = conmonPid;
        this.execPid = execPid;
    }

    /** Ends the exec while its conmon still waits for it; returns once the exec'd process itself is SIGKILLed. */
    void killAll(long deadline) {
        // The exec'd process leads its session; a PID that names anything else was reused.
        Optional<ProcTable.Proc> exec = ProcTable.read(execPid)
                .filter(p -> p.ppid() == conmonPid || p.session() == execPid);
        exec.ifPresent(p -> {
            seen.put(p.pid(), p);
            signal(p, SIGSTOP);
            awaitStopped(p, deadline);
        });
        Map<Long, ProcTable.Proc> killed = new LinkedHashMap<>();
        while (System.nanoTime() < deadline) {
            List<ProcTable.Proc> fresh = members(ProcTable.read())
                    .filter(p -> p.pid() != execPid && !p.exited() && !killed.containsKey(p.pid()))
                    .toList();
            if (fresh.isEmpty()) {
                break;
            }
            for (ProcTable.Proc proc : fresh) {
                seen.put(proc.pid(), proc);
                signal(proc, Syscalls.SIGKILL);
                killed.put(proc.pid(), proc);
            }
        }
        for (ProcTable.Proc proc : killed.values()) {
            awaitExit(proc, deadline);
        }
        exec.ifPresent(p -> signal(p, Syscalls.SIGKILL));
    }

    /**
     * Kills whatever of the exec still runs (after conmon's own timeout, which kills only the exec's process group);
     * call it before conmon exits, while orphans are still its children.
     */
    void killLeft() {
        members(ProcTable.read()).forEach(proc -> {
            seen.put(proc.pid(), proc);
            if (!proc.exited()) {
                signal(proc, Syscalls.SIGKILL);
            }
        });
    }

    /**
     * Waits until every process seen is reaped; call it once conmon is gone (then a late zombie is init's to reap).
     * Returns the PIDs still there at the deadline.
     */
    List<Long> awaitReaped(long deadline) throws InterruptedException {
        List<ProcTable.Proc> left = new ArrayList<>(seen.values());
        while (true) {
            left.removeIf(proc -> !ProcTable.present(proc));
            if (left.isEmpty() || System.nanoTime() >= deadline) {
                return left.stream().map(ProcTable.Proc::pid).toList();
            }
            // Reaping is up to another process (init): nothing to wait on but its result.
            TimeUnit.MILLISECONDS.sleep(REAP_POLL_MILLIS);
        }
    }

    private Stream<ProcTable.Proc> members(ProcTable table) {
        Map<Long, ProcTable.Proc> members = new LinkedHashMap<>();
        table.descendants(conmonPid).forEach(p -> members.put(p.pid(), p));
        table.inSessionOrGroup(execPid).forEach(p -> members.put(p.pid(), p));
        return members.values().stream();
    }

    /** Signals {@code proc} if its PID still names the same process (not one that got the PID since). */
    private static void signal(ProcTable.Proc proc, int signal) {
        if (ProcTable.present(proc)) {
            Syscalls.kill((int) proc.pid(), signal);
        }
    }

    /** Waits until the stop signal took effect (or the process ended); nothing to wait on but /proc. */
    private static void awaitStopped(ProcTable.Proc proc, long deadline) {
        while (System.nanoTime() < deadline) {
            Optional<ProcTable.Proc> now = ProcTable.read(proc.pid()).filter(p -> p.startTicks() == proc.startTicks());
            if (now.isEmpty() || now.get().exited() || now.get().state() == 'T' || now.get().state() == 't') {
                return;
            }
            LockSupport.parkNanos(STOP_POLL_NANOS);
        }
    }

    /** Waits for a process to exit (become a zombie) through a pidfd, which is readable from then on. */
    private static void awaitExit(ProcTable.Proc proc, long deadline) {
        int fd = Syscalls.pidfdOpen((int) proc.pid());
        if (fd < 0) {
            return;
        }
        try {
            if (ProcTable.present(proc)) {
                Syscalls.awaitReadable(fd, Math.max(0, (deadline - System.nanoTime()) / 1_000_000));
            }
        } finally {
            Syscalls.close(fd);
        }
    }
}
