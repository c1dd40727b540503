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
    // Beyond conmon's own -T: if conmon itself hangs, berth gives up this much later.
    private static final Duration EXEC_BACKSTOP_SLACK = Duration.ofSeconds(10);
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
            long seconds = 0;
            if (!timeout.isZero() && !timeout.isNegative()) {
                // conmon counts whole seconds; round up so the caller's deadline is never cut short.
                seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
            }
            Duration backstop = seconds > 0 ? Duration.ofSeconds(seconds).plus(EXEC_BACKSTOP_SLACK) : NO_BACKSTOP;
            List<SyncMessage> messages;
            ConmonProcess conmon = spawner.spawn(args.execSync(id, execId, files, seconds), files.dir(),
                    files.conmonLog());
            try (conmon) {
                try {
                    conmon.release();
                    messages = conmon.sync().read(backstop, 2);
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
            return result(id, files, conmon, messages);
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

    /** conmon said "{data: pid}" then "{data: exit}", or -1 with the runtime's error or "command timed out". */
    private static ExecSyncResult result(String id, ExecFiles files, ConmonProcess conmon,
            List<SyncMessage> messages) throws IOException {
        SyncMessage first = messages.get(0);
        if (first.failed()) {
            if (first.timedOut()) {
                return timedOut(files);
            }
            throw BerthException.internal("exec in container " + id + " failed: " + first.message(), null);
        }
        if (messages.size() < 2) {
            throw BerthException.internal("conmon reported no exit for exec in " + id + conmon.diagnostics(), null);
        }
        SyncMessage exit = messages.get(1);
        if (exit.timedOut()) {
            return timedOut(files);
        }
        if (exit.failed()) {
            throw BerthException.internal("exec in container " + id + " failed: " + exit.message(), null);
        }
        CriLogReader.Streams output = CriLogReader.read(files.log(), MAX_EXEC_OUTPUT);
        return new ExecSyncResult((int) exit.data(), output.stdout(), output.stderr(), false);
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
