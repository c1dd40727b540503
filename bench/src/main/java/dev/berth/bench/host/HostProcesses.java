package dev.berth.bench.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds processes by what their command line names and kills them by PID. Shims and monitors outlive the daemon
 * that started them (they are re-parented to init), so their arguments are the only reliable link to an instance.
 */
public final class HostProcesses {

    /** A process and its argv, as /proc showed it. */
    public record HostProcess(long pid, List<String> argv) {
        @Override
        public String toString() {
            return pid + " " + String.join(" ", argv);
        }
    }

    private HostProcesses() {
    }

    /** Processes (other than this JVM) with an argument containing {@code needle}, e.g. a private temp dir. */
    public static List<HostProcess> referencing(String needle) {
        long self = ProcessHandle.current().pid();
        List<HostProcess> found = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path dir : proc) {
                long pid = Long.parseLong(dir.getFileName().toString());
                if (pid == self) {
                    continue;
                }
                argv(dir).filter(args -> args.stream().anyMatch(arg -> arg.contains(needle)))
                        .ifPresent(args -> found.add(new HostProcess(pid, args)));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return found;
    }

    /** PIDs listed in a cgroup directory and all its children (cgroup v1 or v2 layout). */
    public static List<Long> inCgroupTree(Path cgroupDir) {
        List<Long> pids = new ArrayList<>();
        if (!Files.isDirectory(cgroupDir)) {
            return pids;
        }
        try (var files = Files.walk(cgroupDir)) {
            files.filter(p -> p.getFileName().toString().equals("cgroup.procs")).forEach(procs -> {
                try {
                    Files.readAllLines(procs).stream().map(String::strip).filter(s -> !s.isEmpty())
                            .map(Long::parseLong).forEach(pids::add);
                } catch (IOException gone) {
                    // the cgroup went away while we walked it
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            // a racing removal; whatever was read is enough for a best-effort sweep
        }
        return pids;
    }

    /** Kills every process whose command line names {@code needle}; one cleanup note per process. */
    public static List<String> killReferencing(String needle, Duration wait) {
        List<String> notes = new ArrayList<>();
        for (HostProcess process : referencing(needle)) {
            notes.add((kill(process.pid(), wait) ? "killed leftover " : "could not kill ") + process);
        }
        return notes;
    }

    /** SIGKILL by PID, then waits up to {@code wait} for it to go. Returns false if it is still there. */
    public static boolean kill(long pid, Duration wait) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty()) {
            return true;
        }
        handle.get().destroyForcibly();
        long deadline = System.nanoTime() + wait.toNanos();
        while (handle.get().isAlive() && System.nanoTime() < deadline) {
            sleep(20);
        }
        return !handle.get().isAlive();
    }

    private static Optional<List<String>> argv(Path procDir) {
        try {
            byte[] raw = Files.readAllBytes(procDir.resolve("cmdline"));
            if (raw.length == 0) {
                return Optional.empty();
            }
            List<String> args = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            if (start < raw.length) {
                args.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
            }
            return Optional.of(args);
        } catch (IOException exited) {
            return Optional.empty();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
