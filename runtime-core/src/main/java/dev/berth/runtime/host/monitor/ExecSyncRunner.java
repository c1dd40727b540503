package dev.berth.runtime.host.monitor;

import dev.berth.common.error.BerthException;
import dev.berth.common.fs.Trees;
import dev.berth.runtime.host.oci.OciJson;
import dev.berth.runtime.host.oci.OciRuntime;
import dev.berth.runtime.host.oci.OciSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one process in a running container and waits for it (CRI ExecSync). Each call gets a scratch directory
 * ({@link ExecFiles}) and its own conmon in the foreground, which runs {@code runtime exec}, reports the PID and
 * then the exit on the sync pipe, and writes the output to a k8s-file log that is read back at the end.
 */
final class ExecSyncRunner {

    private static final Logger LOG = LoggerFactory.getLogger(ExecSyncRunner.class);
    private static final int MAX_EXEC_OUTPUT = 16 * 1024 * 1024;
    // berth ends a timed-out exec itself; conmon's -T, this many seconds later, covers a daemon that died mid-call.
    // Generous: if -T fires first (berth stalled this long), a process that left the exec's session can outlive it.
    private static final long CONMON_TIMEOUT_GRACE = 5;
    // Beyond conmon's own -T: if conmon itself hangs, berth gives up this much later.
    private static final Duration EXEC_BACKSTOP_SLACK = Duration.ofSeconds(10);
    // For killing a timed-out exec, and then for conmon's exit and the reaping of what it ran.
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);
    private static final Duration NO_BACKSTOP = Duration.ofDays(3650);

    private final ConmonSettings settings;
    private final ConmonArgs args;
    private final ConmonSpawner spawner;
    private final OciJson json = new OciJson();
    private final SecureRandom random = new SecureRandom();

    ExecSyncRunner(ConmonSettings settings, OciRuntime runtime, ConmonSpawner spawner) {
        this.settings = settings;
        this.args = new ConmonArgs(settings, runtime);
        this.spawner = spawner;
    }

    /** See {@link Conmon#execSync}; {@code id} is checked. */
    ExecSyncResult run(String id, OciSpec.Process process, Duration timeout) {
        String execId = newExecId();
        ExecFiles files = new ExecFiles(settings.execDir().resolve(execId));
        MonitorFs.createDirectories(files.dir(), settings.socketDir());
        try {
            Files.write(files.processSpec(), json.toBytes(process));
            boolean limited = !timeout.isZero() && !timeout.isNegative();
            // conmon's -T counts whole seconds: rounded up, then the grace.
            long conmonSeconds = limited ? Math.max(1, (timeout.toMillis() + 999) / 1000) + CONMON_TIMEOUT_GRACE : 0;
            long backstop = System.nanoTime()
                    + (limited ? Duration.ofSeconds(conmonSeconds).plus(EXEC_BACKSTOP_SLACK) : NO_BACKSTOP).toNanos();
            Reports reports;
            ConmonProcess conmon = spawner.spawn(args.execSync(id, execId, files, conmonSeconds), files.dir(),
                    files.conmonLog());
            try (conmon) {
                try {
                    conmon.release();
                    reports = await(id, execId, conmon, limited ? Optional.of(timeout) : Optional.empty(), backstop);
                } catch (TimeoutException e) {
                    LOG.warn("event=exec_backstop container={} exec={}", id, execId);
                    killExec(files, conmon);
                    return new ExecSyncResult(-1, new byte[0],
                            "command timed out".getBytes(StandardCharsets.UTF_8), true);
                } catch (SyncPipe.MonitorDiedException e) {
                    conmon.reap();
                    throw BerthException.internal("conmon exited during exec in " + id + conmon.diagnostics(),
                            null);
                } catch (RuntimeException e) {
                    killExec(files, conmon);
                    throw e;
                }
                conmon.reap();
            }
            return result(id, files, conmon, reports);
        } catch (IOException e) {
            throw BerthException.internal("exec in container " + id + ": " + e, e);
        } finally {
            MonitorFs.removeQuietly(settings.socketLink(execId));
            try {
                Trees.deleteRecursively(files.dir());
            } catch (UncheckedIOException e) {
                LOG.warn("event=exec_dir_cleanup_failed dir={} error=\"{}\"", files.dir(), e.getMessage());
            }
        }
    }

    /** What conmon reported: the PID (or the runtime's failure), then the exit if any; whether berth killed it. */
    private record Reports(SyncMessage started, Optional<SyncMessage> exit, boolean killedAtDeadline) {
    }

    /**
     * Reads conmon's reports. With a timeout, berth ends the exec itself at the deadline, before conmon's -T would
     * ({@link ExecTree} says why), and returns only once conmon and every process of the exec are gone.
     */
    private Reports await(String id, String execId, ConmonProcess conmon, Optional<Duration> timeout,
            long backstop) throws TimeoutException, SyncPipe.MonitorDiedException {
        SyncPipe sync = conmon.sync();
        SyncMessage started = sync.next(backstop).orElseThrow(SyncPipe.MonitorDiedException::new);
        if (timeout.isEmpty() || started.failed()) {
            return new Reports(started, sync.next(backstop), false);
        }
        ExecTree tree = new ExecTree(conmon.pid(), started.data());
        Optional<SyncMessage> exit;
        boolean killed = false;
        try {
            // The exec's time runs from its start, as conmon's -T does.
            exit = sync.next(System.nanoTime() + timeout.get().toNanos());
        } catch (TimeoutException e) {
            killed = true;
            tree.killAll(System.nanoTime() + KILL_GRACE.toNanos());
            exit = sync.next(System.nanoTime() + EXEC_BACKSTOP_SLACK.toNanos());
        }
        if (!killed && exit.map(SyncMessage::timedOut).orElse(false)) {
            // conmon's -T came first (berth was late): it killed the exec's process group only, and goes on to exit
            // without reaping what dies after it wrote this; what left the group still runs.
            tree.killLeft();
        }
        if (killed || exit.map(SyncMessage::timedOut).orElse(false)) {
            awaitGone(id, execId, conmon, tree);
        }
        return new Reports(started, exit, killed);
    }

    /** Waits for conmon to exit, then for every process of the exec to be reaped (by conmon, or else by init). */
    private static void awaitGone(String id, String execId, ConmonProcess conmon, ExecTree tree) {
        long deadline = System.nanoTime() + KILL_GRACE.toNanos();
        if (!conmon.awaitExit(deadline)) {
            LOG.warn("event=exec_conmon_stuck container={} exec={} pid={}", id, execId, conmon.pid());
            conmon.killTree();
        }
        try {
            List<Long> left = tree.awaitReaped(deadline);
            if (!left.isEmpty()) {
                LOG.warn("event=exec_processes_left container={} exec={} pids={}", id, execId, left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** conmon said "{data: pid}" then "{data: exit}", or -1 with the runtime's error or "command timed out". */
    private static ExecSyncResult result(String id, ExecFiles files, ConmonProcess conmon, Reports reports)
            throws IOException {
        SyncMessage first = reports.started();
        if (first.failed()) {
            if (first.timedOut()) {
                return timedOut(files);
            }
            OptionalInt code = unstartableProgramCode(first.message());
            if (code.isPresent()) {
                // The caller named a program the container cannot run: the shell's answer (127 not found, 126
                // not executable) with the runtime's reason on stderr, as a probe or a person expects.
                return new ExecSyncResult(code.getAsInt(), new byte[0],
                        (first.message() + "\n").getBytes(StandardCharsets.UTF_8), false);
            }
            throw BerthException.internal("exec in container " + id + " failed: " + first.message(), null);
        }
        if (reports.killedAtDeadline()) {
            return timedOut(files);
        }
        if (reports.exit().isEmpty()) {
            throw BerthException.internal("conmon reported no exit for exec in " + id + conmon.diagnostics(), null);
        }
        SyncMessage exit = reports.exit().get();
        if (exit.timedOut()) {
            return timedOut(files);
        }
        if (exit.failed()) {
            throw BerthException.internal("exec in container " + id + " failed: " + exit.message(), null);
        }
        CriLogReader.Streams output = CriLogReader.read(files.log(), MAX_EXEC_OUTPUT);
        return new ExecSyncResult((int) exit.data(), output.stdout(), output.stderr(), false);
    }

    /** 127 or 126 when the runtime could not start the program itself; empty for any other failure. */
    static OptionalInt unstartableProgramCode(String runtimeMessage) {
        String message = runtimeMessage == null ? "" : runtimeMessage;
        if (!message.contains("exec:") && !message.contains("exec failed")) {
            return OptionalInt.empty();
        }
        if (message.contains("executable file not found") || message.contains("no such file or directory")) {
            return OptionalInt.of(127);
        }
        if (message.contains("permission denied") || message.contains("is a directory")) {
            return OptionalInt.of(126);
        }
        return OptionalInt.empty();
    }

    private static ExecSyncResult timedOut(ExecFiles files) throws IOException {
        CriLogReader.Streams output = CriLogReader.read(files.log(), MAX_EXEC_OUTPUT);
        return new ExecSyncResult(-1, output.stdout(), output.stderr(), true);
    }

    /** For a conmon that hangs or failed under berth: the exec's process tree, then conmon's. */
    private static void killExec(ExecFiles files, ConmonProcess conmon) {
        MonitorFiles.readPid(files.pidFile()).ifPresent(pid -> ProcessHandle.of(pid).ifPresent(h -> {
            h.descendants().forEach(ProcessHandle::destroyForcibly);
            h.destroyForcibly();
        }));
        conmon.killTree();
    }

    private String newExecId() {
        byte[] bytes = new byte[8];
        random.nextBytes(bytes);
        return "exec-" + HexFormat.of().formatHex(bytes);
    }
}
