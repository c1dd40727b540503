package dev.berth.runtime.host.monitor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One reading of /proc: each process's parent, process group, session, state and start time (this kernel has no
 * {@code /proc/PID/task/TID/children}, so descendants come from parent links).
 */
record ProcTable(Map<Long, Proc> procs) {

    private static final Path PROC = Path.of("/proc");

    /**
     * One process. {@code startTicks} tells a process from a later one that got the same PID.
     *
     * @param state {@code R}, {@code S}, {@code Z} (exited, not yet reaped)...
     */
    record Proc(long pid, long ppid, long pgrp, long session, char state, long startTicks) {

        /** Exited: a zombie (or being reaped); it can no longer run or fork. */
        boolean exited() {
            return state == 'Z' || state == 'X';
        }
    }

    static ProcTable read() {
        Map<Long, Proc> procs = new LinkedHashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC, "[0-9]*")) {
            for (Path dir : dirs) {
                read(Long.parseLong(dir.getFileName().toString())).ifPresent(p -> procs.put(p.pid(), p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + PROC, e);
        }
        return new ProcTable(procs);
    }

    /** The process with this PID now; empty once it is reaped. */
    static Optional<Proc> read(long pid) {
        String stat;
        try {
            stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
        } catch (IOException e) {
            return Optional.empty();
        }
        try {
            // The command name in parentheses may hold spaces and parentheses: the fields start after the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(new Proc(pid, Long.parseLong(fields[1]), Long.parseLong(fields[2]),
                    Long.parseLong(fields[3]), fields[0].charAt(0), Long.parseLong(fields[19])));
        } catch (RuntimeException e) {
            // Empty or cut short: the process went away while it was read.
            return Optional.empty();
        }
    }

    /** Whether {@code proc} is still there (running or a zombie), not reaped. */
    static boolean present(Proc proc) {
        return read(proc.pid()).map(now -> now.startTicks() == proc.startTicks()).orElse(false);
    }

    /** Every descendant of {@code root} (not {@code root} itself), parents before children. */
    List<Proc> descendants(long root) {
        Map<Long, List<Proc>> children = new HashMap<>();
        for (Proc proc : procs.values()) {
            children.computeIfAbsent(proc.ppid(), k -> new ArrayList<>()).add(proc);
        }
        List<Proc> found = new ArrayList<>();
        Deque<Long> parents = new ArrayDeque<>(List.of(root));
        while (!parents.isEmpty()) {
            for (Proc child : children.getOrDefault(parents.poll(), List.of())) {
                found.add(child);
                parents.add(child.pid());
            }
        }
        return found;
    }

    /** The processes in session or process group {@code id}. */
    List<Proc> inSessionOrGroup(long id) {
        return procs.values().stream().filter(p -> p.session() == id || p.pgrp() == id).toList();
    }
}
