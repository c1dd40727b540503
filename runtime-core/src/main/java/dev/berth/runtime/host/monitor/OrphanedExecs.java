package dev.berth.runtime.host.monitor;

import dev.berth.common.fs.Trees;
import dev.berth.runtime.host.sys.Syscalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exec sessions (streaming execs and exec-syncs) that a previous daemon left behind when it died mid-call.
 *
 * <p>An exec's conmon runs in the foreground as the daemon's child, so it outlives a daemon killed with SIGKILL,
 * and the exec'd process runs on with nobody attached (a shell waits on its stdin forever). Nobody can reach it
 * again: its stream URL was single-use and its CRI call is gone. So a new daemon does what the old one would have
 * done when its client went away: kills every process of the exec ({@link ExecTree}), then conmon, and removes the
 * scratch directory and socket link. conmon itself has no way to notice: it takes no signal when its parent dies,
 * and a parent-death signal would be wrong anyway (the kernel sends it when the spawning thread ends, not the JVM)
 * and would still leave the exec'd process, which lives in the container, running.
 *
 * <p>Found by their scratch directories: conmon's command line names the directory's process spec, and the exec'd
 * process's PID is in the directory's pid file.
 */
public final class OrphanedExecs {

    private static final Logger LOG = LoggerFactory.getLogger(OrphanedExecs.class);
    private static final Duration GRACE = Duration.ofSeconds(5);
    private static final String SPEC_OPTION = "--exec-process-spec";

    private OrphanedExecs() {
    }

    /** Kills and removes every exec session under the exec directory; returns how many there were. */
    public static int reap(ConmonSettings settings) {
        if (!Files.isDirectory(settings.execDir())) {
            return 0;
        }
        List<Path> dirs = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(settings.execDir())) {
            entries.forEach(dirs::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + settings.execDir(), e);
        }
        for (Path dir : dirs) {
            reapOne(settings, new ExecFiles(dir));
        }
        return dirs.size();
    }

    private static void reapOne(ConmonSettings settings, ExecFiles files) {
        String execId = files.dir().getFileName().toString();
        Optional<ProcTable.Proc> conmon = conmonOf(files);
        if (conmon.isPresent()) {
            long execPid = readPid(files.pidFile()).orElse(-1L);
            long deadline = System.nanoTime() + GRACE.toNanos();
            ExecTree tree = new ExecTree(conmon.get().pid(), execPid);
            tree.killAll(deadline);
            // conmon ends once it has reaped the exec'd process; one that does not is killed.
            awaitGone(conmon.get(), deadline);
            if (ProcTable.present(conmon.get())) {
                tree.killLeft();
                Syscalls.kill((int) conmon.get().pid(), Syscalls.SIGKILL);
            }
            try {
                List<Long> left = tree.awaitReaped(System.nanoTime() + GRACE.toNanos());
                awaitGone(conmon.get(), System.nanoTime() + GRACE.toNanos());
                LOG.info("event=orphaned_exec_killed exec={} conmon_pid={} exec_pid={} left={}", execId,
                        conmon.get().pid(), execPid, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            LOG.info("event=orphaned_exec_files_removed exec={}", execId);
        }
        MonitorFs.removeQuietly(settings.socketLink(execId));
        try {
            Trees.deleteRecursively(files.dir());
        } catch (UncheckedIOException e) {
            LOG.warn("event=exec_dir_cleanup_failed dir={} error=\"{}\"", files.dir(), e.getMessage());
        }
    }

    /** The conmon whose command line names this directory's process spec, if it still runs. */
    private static Optional<ProcTable.Proc> conmonOf(ExecFiles files) {
        String spec = files.processSpec().toString();
        for (ProcTable.Proc proc : ProcTable.read().procs().values()) {
            List<String> argv = cmdline(proc.pid());
            int at = argv.indexOf(SPEC_OPTION);
            if (at >= 0 && at + 1 < argv.size() && argv.get(at + 1).equals(spec) && !proc.exited()) {
                return Optional.of(proc);
            }
        }
        return Optional.empty();
    }

    private static List<String> cmdline(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0"));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Optional<Long> readPid(Path pidFile) {
        try {
            return Optional.of(Long.parseLong(Files.readString(pidFile).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Waits until {@code proc} is reaped (by init: it is not this daemon's child any more) or the deadline. */
    private static void awaitGone(ProcTable.Proc proc, long deadline) {
        try {
            while (ProcTable.present(proc) && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
