package dev.berth.runtime.host.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One reading of {@code /proc/<pid>/stat}: a process's command name, state and start time. The start time (clock
 * ticks after boot) tells a process from a later one that got the same PID.
 */
public record ProcStat(int pid, String comm, char state, long startTicks) {

    /** The process with this PID now; empty once it is reaped. */
    public static Optional<ProcStat> read(int pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
        } catch (IOException e) {
            return Optional.empty();
        }
        try {
            // The command name in parentheses may hold spaces and parentheses: the fields start after the last ')'.
            int close = stat.lastIndexOf(')');
            String comm = stat.substring(stat.indexOf('(') + 1, close);
            String[] fields = stat.substring(close + 2).split(" ");
            return Optional.of(new ProcStat(pid, comm, fields[0].charAt(0), Long.parseLong(fields[19])));
        } catch (RuntimeException e) {
            // Empty or cut short: the process went away while it was read.
            return Optional.empty();
        }
    }

    /** Whether the process that started at {@code startTicks} still runs under {@code pid} (not a zombie). */
    public static boolean running(int pid, long startTicks) {
        return read(pid).map(s -> s.startTicks() == startTicks && s.state() != 'Z' && s.state() != 'X')
                .orElse(false);
    }
}
