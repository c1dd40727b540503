package dev.berth.runtime.host.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.error.BerthException;
import dev.berth.common.fs.Trees;
import dev.berth.runtime.host.oci.OciJson;
import dev.berth.runtime.host.oci.OciRuntime;
import dev.berth.runtime.host.oci.OciSpec;
import dev.berth.runtime.host.sys.NativeSpawn;
import dev.berth.runtime.host.sys.SyscallException;
import dev.berth.runtime.host.sys.Syscalls;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs containers and exec sessions under conmon (one per container; it outlives the daemon). conmon takes its sync
 * and start pipes as inherited fds 3 and 4, which ProcessBuilder cannot pass, so conmon is started with
 * {@code posix_spawn} ({@link NativeSpawn}): the write end of a sync pipe on fd 3, the read end of a start pipe on
 * fd 4, {@code /dev/null} on stdin and stdout, stderr appended to {@code conmon.log}, the bundle as its cwd. conmon
 * waits for one byte on the start pipe before it forks and runs {@code runtime create}; {@link #prepare} starts it
 * early so that its own start-up overlaps the caller's preparation of the bundle.
 */
public final class Conmon {

    private static final Logger LOG = LoggerFactory.getLogger(Conmon.class);
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final int MAX_SOCKET_PATH = 107;
    static final int SOCKET_NAME_LENGTH = 24;
    private static final int MAX_EXEC_OUTPUT = 16 * 1024 * 1024;
    // Beyond conmon's own -T: if conmon itself hangs, berth gives up this much later.
    private static final Duration EXEC_BACKSTOP_SLACK = Duration.ofSeconds(10);
    private static final Path DEV_NULL = Path.of("/dev/null");

    private final ConmonSettings settings;
    private final OciRuntime runtime;
    private final OciJson json = new OciJson();
    private final ObjectMapper mapper = new ObjectMapper();
    private final SecureRandom random = new SecureRandom();
    private final ExecutorService reapers = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "conmon-reaper");
        thread.setDaemon(true);
        return thread;
    });

    public Conmon(ConmonSettings settings, OciRuntime runtime) {
        this.settings = settings;
        this.runtime = runtime;
    }

    public ConmonSettings settings() {
        return settings;
    }

    public OciRuntime runtime() {
        return runtime;
    }

    /** Where a container's attach socket is (it exists from create on). */
    public Path attachSocket(String containerId) {
        return settings.socketDir().resolve(socketName(containerId)).resolve("attach");
    }

    /**
     * The name of a container's link in the socket directory. A unix socket path must fit in 108 bytes, so the link
     * takes a prefix of the ID: IDs are random, and 96 bits never collide among one node's containers.
     */
    static String socketName(String id) {
        return id.length() > SOCKET_NAME_LENGTH ? id.substring(0, SOCKET_NAME_LENGTH) : id;
    }

    /** Where conmon writes a container's exit code. */
    public Path exitFile(String containerId) {
        return settings.exitDir().resolve(containerId);
    }

    /**
     * Starts conmon, which runs {@code runtime create}; returns once the container is created (not started) with its
     * init PID. On failure nothing is left in the runtime.
     */
    public MonitoredContainer create(ConmonLaunch launch) {
        try (PendingContainer pending = prepare(launch)) {
            return pending.create();
        }
    }

    /**
     * Starts conmon for a container and leaves it waiting for {@link PendingContainer#create}: the bundle, log and
     * persist directories must exist, the bundle's {@code config.json} need not yet. Closing the returned object
     * without creating kills that conmon and removes what it made.
     */
    public PendingContainer prepare(ConmonLaunch launch) {
        String id = checkId(launch.containerId());
        Path attach = attachSocket(id);
        if (attach.toString().length() > MAX_SOCKET_PATH) {
            throw BerthException.failedPrecondition("attach socket path too long (" + attach.toString().length()
                    + " > " + MAX_SOCKET_PATH + "): " + attach);
        }
        MonitorFiles files = new MonitorFiles(launch.persistDir());
        Path logPath = launch.logPath().toAbsolutePath();
        createDirectories(settings.exitDir(), settings.socketDir(), launch.persistDir(), logPath.getParent());
        List<String> argv = new ArrayList<>(List.of(
                "--api-version",
                "-c", id,
                "-u", socketName(id),
                "-r", runtime.binary().toString(),
                "-b", launch.bundle().toAbsolutePath().toString(),
                "-p", files.containerPidFile().toString(),
                "-P", files.conmonPidFile().toString(),
                "-l", "k8s-file:" + logPath,
                "--exit-dir", settings.exitDir().toString(),
                "--persist-dir", launch.persistDir().toAbsolutePath().toString(),
                "--socket-dir-path", settings.socketDir().toString(),
                "--log-level", "error"));
        addRuntimeArgs(argv);
        if (launch.stdin()) {
            argv.add("-i");
            if (!launch.stdinOnce()) {
                argv.add("--leave-stdin-open");
            }
        }
        if (launch.tty()) {
            argv.add("-t");
        }
        if (launch.logSizeMax() > 0) {
            argv.add("--log-size-max");
            argv.add(Long.toString(launch.logSizeMax()));
        }
        // conmon opens (creates) the log before it waits for the start byte: an aborted start removes a new one.
        boolean logExisted = Files.exists(logPath);
        Spawned spawned = spawn(argv, launch.bundle(), files.conmonLog());
        return new PendingContainer(this, id, files, spawned, logExisted ? null : logPath);
    }

    /** Releases a prepared conmon and waits for {@code runtime create}; see {@link PendingContainer#create}. */
    MonitoredContainer release(String id, MonitorFiles files, Spawned spawned) {
        long started = System.nanoTime();
        SyncMessage message;
        try {
            // The start pipe: conmon waits for one byte before it runs the runtime.
            spawned.release();
            message = readSync(spawned, settings.createTimeout(), 1).get(0);
        } catch (TimeoutException e) {
            killConmon(files, spawned);
            runtime.delete(id, true);
            throw new BerthException(BerthException.Kind.DEADLINE_EXCEEDED,
                    "conmon did not report container " + id + " created within " + settings.createTimeout());
        } catch (MonitorDiedException e) {
            reap(spawned);
            runtime.delete(id, true);
            throw BerthException.internal("conmon exited before creating container " + id + diagnostics(files),
                    null);
        } catch (RuntimeException e) {
            killConmon(files, spawned);
            runtime.delete(id, true);
            throw e;
        }
        // conmon's first process exits once it forked the monitor; reap it (normally it is long gone by now).
        reap(spawned);
        if (message.data() < 0) {
            runtime.delete(id, true);
            removeQuietly(settings.socketDir().resolve(socketName(id)));
            removeQuietly(exitFile(id));
            LOG.warn("event=container_create_failed container={} error=\"{}\"", id, message.message());
            throw BerthException.internal("cannot create container " + id + ": " + message.message(), null);
        }
        OptionalLong conmonPid = files.conmonPid();
        LOG.info("event=container_created container={} pid={} conmon_pid={} took_ms={}", id, message.data(),
                conmonPid.orElse(-1), (System.nanoTime() - started) / 1_000_000);
        return new MonitoredContainer(id, (int) message.data(), conmonPid.orElse(-1), attachSocket(id));
    }

    /** Kills a prepared conmon that was never released (it is still its first process, blocked on the pipe). */
    void abort(String id, Spawned spawned, Path newLog) {
        Syscalls.kill(spawned.pid(), Syscalls.SIGKILL);
        Syscalls.waitpid(spawned.pid(), true);
        spawned.close();
        if (newLog != null) {
            try {
                if (Files.isRegularFile(newLog) && Files.size(newLog) == 0) {
                    Files.delete(newLog);
                }
            } catch (IOException e) {
                LOG.debug("event=cleanup_failed path={} error=\"{}\"", newLog, e.getMessage());
            }
        }
        LOG.debug("event=conmon_aborted container={}", id);
    }

    /**
     * Runs a process in a running container and waits for it. conmon enforces the timeout (whole seconds, killing
     * the exec's process group); {@code timeout} zero means none.
     */
    public ExecSyncResult execSync(String containerId, OciSpec.Process process, Duration timeout) {
        String id = checkId(containerId);
        String execId = newExecId();
        Path dir = settings.execDir().resolve(execId);
        createDirectories(dir, settings.socketDir());
        try {
            Path spec = dir.resolve("process.json");
            Files.write(spec, json.toBytes(process));
            Path log = dir.resolve("log");
            List<String> argv = new ArrayList<>(List.of(
                    "--api-version",
                    "-c", id,
                    "-u", socketName(execId),
                    "-r", runtime.binary().toString(),
                    "-e",
                    "--exec-process-spec", spec.toString(),
                    "-p", dir.resolve("pid").toString(),
                    "--sync",
                    "-l", "k8s-file:" + log,
                    "--exit-dir", dir.toString(),
                    "--persist-dir", dir.toString(),
                    "--socket-dir-path", settings.socketDir().toString(),
                    "--log-level", "error"));
            addRuntimeArgs(argv);
            long seconds = 0;
            if (!timeout.isZero() && !timeout.isNegative()) {
                // conmon counts whole seconds; round up so the caller's deadline is never cut short.
                seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
                argv.add("-T");
                argv.add(Long.toString(seconds));
            }
            Duration backstop = seconds > 0 ? Duration.ofSeconds(seconds).plus(EXEC_BACKSTOP_SLACK)
                    : Duration.ofDays(3650);
            List<SyncMessage> messages;
            try (Spawned conmon = spawn(argv, dir, dir.resolve("conmon.log"))) {
                try {
                    conmon.release();
                    messages = readSync(conmon, backstop, 2);
                } catch (TimeoutException e) {
                    LOG.warn("event=exec_backstop container={} exec={}", id, execId);
                    killExec(dir, conmon);
                    return new ExecSyncResult(-1, new byte[0],
                            "command timed out".getBytes(StandardCharsets.UTF_8), true);
                } catch (MonitorDiedException e) {
                    reap(conmon);
                    throw BerthException.internal("conmon exited during exec in " + id + diagnostics(dir), null);
                } catch (RuntimeException e) {
                    killExec(dir, conmon);
                    throw e;
                }
                reap(conmon);
            }
            SyncMessage first = messages.get(0);
            if (first.data() < 0) {
                if (first.message().contains("timed out")) {
                    return timedOut(log);
                }
                throw BerthException.internal("exec in container " + id + " failed: " + first.message(), null);
            }
            if (messages.size() < 2) {
                throw BerthException.internal("conmon reported no exit for exec in " + id + diagnostics(dir), null);
            }
            SyncMessage exit = messages.get(1);
            if (exit.data() < 0 && exit.message().contains("timed out")) {
                return timedOut(log);
            }
            if (exit.data() < 0) {
                throw BerthException.internal("exec in container " + id + " failed: " + exit.message(), null);
            }
            CriLogReader.Streams output = CriLogReader.read(log, MAX_EXEC_OUTPUT);
            return new ExecSyncResult((int) exit.data(), output.stdout(), output.stderr(), false);
        } catch (IOException e) {
            throw BerthException.internal("exec in container " + id + ": " + e, e);
        } finally {
            removeQuietly(settings.socketDir().resolve(socketName(execId)));
            try {
                Trees.deleteRecursively(dir);
            } catch (UncheckedIOException e) {
                LOG.warn("event=exec_dir_cleanup_failed dir={} error=\"{}\"", dir, e.getMessage());
            }
        }
    }

    /** Asks conmon to reopen the container's log file (after the kubelet renamed it). */
    public void reopenLog(Path bundle) {
        writeControl(bundle, "2 0 0\n");
    }

    /** Tells conmon the terminal's new size. */
    public void resize(Path bundle, int rows, int cols) {
        if (rows <= 0 || cols <= 0 || rows > 65535 || cols > 65535) {
            throw BerthException.invalidArgument("invalid terminal size " + rows + "x" + cols);
        }
        writeControl(bundle, "1 " + rows + " " + cols + "\n");
    }

    /** Removes what conmon leaves behind once the container is deleted: socket link, control FIFOs, exit file. */
    public void cleanup(String containerId, Path bundle) {
        String id = checkId(containerId);
        removeQuietly(settings.socketDir().resolve(socketName(id)));
        removeQuietly(bundle.resolve("ctl"));
        removeQuietly(bundle.resolve("winsz"));
        removeQuietly(bundle.resolve("attach"));
        removeQuietly(exitFile(id));
    }

    // --- internals -----------------------------------------------------------------------------------------------

    private record SyncMessage(long data, String message) {
    }

    /** conmon closed its sync pipe without saying anything: it died. */
    private static final class MonitorDiedException extends Exception {
        MonitorDiedException() {
            super("conmon died", null, false, false);
        }
    }

    /**
     * A spawned conmon's first process and berth's ends of its pipes: the start pipe's write end and the sync pipe's
     * read end (both close-on-exec, so no other child inherits them).
     */
    static final class Spawned implements AutoCloseable {
        private final int pid;
        private int startFd;
        private int syncFd;
        private boolean reaped;

        Spawned(int pid, int startFd, int syncFd) {
            this.pid = pid;
            this.startFd = startFd;
            this.syncFd = syncFd;
        }

        int pid() {
            return pid;
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

        @Override
        public void close() {
            Syscalls.close(startFd);
            startFd = -1;
            Syscalls.close(syncFd);
            syncFd = -1;
        }
    }

    private Spawned spawn(List<String> conmonArgs, Path directory, Path stderrFile) {
        int[] sync;
        int[] start;
        try {
            sync = Syscalls.pipe();
        } catch (SyscallException e) {
            throw BerthException.internal("cannot create conmon's pipes: " + e.getMessage(), e);
        }
        try {
            start = Syscalls.pipe();
        } catch (SyscallException e) {
            Syscalls.close(sync[0]);
            Syscalls.close(sync[1]);
            throw BerthException.internal("cannot create conmon's pipes: " + e.getMessage(), e);
        }
        int pid;
        try {
            pid = NativeSpawn.of(settings.conmonBinary(), conmonArgs)
                    .directory(directory)
                    .env("_OCI_SYNCPIPE", "3")
                    .env("_OCI_STARTPIPE", "4")
                    .dup(sync[1], 3)
                    .dup(start[0], 4)
                    .open(0, DEV_NULL, Syscalls.O_RDONLY, 0)
                    .open(1, DEV_NULL, Syscalls.O_WRONLY, 0)
                    .open(2, stderrFile, Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_APPEND, 0644)
                    .start();
        } catch (SyscallException e) {
            Syscalls.close(sync[0]);
            Syscalls.close(start[1]);
            throw BerthException.internal("cannot start conmon: " + e.getMessage(), e);
        } finally {
            // The child has its copies; keeping ours would hide conmon's EOF.
            Syscalls.close(sync[1]);
            Syscalls.close(start[0]);
        }
        return new Spawned(pid, start[1], sync[0]);
    }

    /** Reaps conmon's first process: at once if it has exited, else in the background. */
    private void reap(Spawned spawned) {
        if (spawned.reaped) {
            return;
        }
        spawned.reaped = true;
        if (Syscalls.waitpid(spawned.pid(), false) == -1) {
            reapers.execute(() -> Syscalls.waitpid(spawned.pid(), true));
        }
    }

    /** Reads conmon's sync messages; EOF (every writer gone) before the first one means conmon died. */
    private List<SyncMessage> readSync(Spawned spawned, Duration timeout, int wanted)
            throws TimeoutException, MonitorDiedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        List<SyncMessage> messages = new ArrayList<>();
        byte[] buffer = new byte[8192];
        while (messages.size() < wanted) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new TimeoutException();
            }
            int count = Syscalls.read(spawned.syncFd, buffer, left);
            if (count < 0) {
                throw new TimeoutException();
            }
            if (count == 0) {
                break;
            }
            pending.write(buffer, 0, count);
            byte[] bytes = pending.toByteArray();
            int from = 0;
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == '\n') {
                    String line = new String(bytes, from, i - from, StandardCharsets.UTF_8);
                    if (!line.isBlank()) {
                        messages.add(parse(line));
                    }
                    from = i + 1;
                }
            }
            pending.reset();
            pending.write(bytes, from, bytes.length - from);
        }
        if (messages.size() < wanted && pending.size() > 0) {
            String line = pending.toString(StandardCharsets.UTF_8);
            if (!line.isBlank()) {
                messages.add(parse(line));
            }
        }
        if (messages.isEmpty()) {
            throw new MonitorDiedException();
        }
        return messages;
    }

    private SyncMessage parse(String line) {
        try {
            JsonNode node = mapper.readTree(line);
            return new SyncMessage(node.path("data").asLong(-1), node.path("message").asText(""));
        } catch (IOException e) {
            throw BerthException.internal("unexpected message from conmon: " + line, e);
        }
    }

    private void addRuntimeArgs(List<String> argv) {
        for (String arg : runtime.globalArgs()) {
            argv.add("--runtime-arg");
            argv.add(arg);
        }
        if (runtime.systemdCgroup()) {
            argv.add("-s");
        }
    }

    private ExecSyncResult timedOut(Path log) throws IOException {
        CriLogReader.Streams output = CriLogReader.read(log, MAX_EXEC_OUTPUT);
        return new ExecSyncResult(-1, output.stdout(), output.stderr(), true);
    }

    private void writeControl(Path bundle, String message) {
        Path ctl = bundle.resolve("ctl");
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

    private void killConmon(MonitorFiles files, Spawned spawned) {
        files.conmonPid().ifPresent(pid -> ProcessHandle.of(pid)
                .filter(h -> h.info().command().map(c -> c.endsWith("conmon")).orElse(false))
                .ifPresent(h -> {
                    h.descendants().forEach(ProcessHandle::destroyForcibly);
                    h.destroyForcibly();
                }));
        killTree(spawned);
    }

    private void killExec(Path dir, Spawned conmon) {
        MonitorFiles.readPid(dir.resolve("pid")).ifPresent(pid -> ProcessHandle.of(pid).ifPresent(h -> {
            h.descendants().forEach(ProcessHandle::destroyForcibly);
            h.destroyForcibly();
        }));
        killTree(conmon);
    }

    /** SIGKILLs conmon's first process and what it started, then reaps it. */
    private void killTree(Spawned spawned) {
        if (!spawned.reaped) {
            ProcessHandle.of(spawned.pid()).ifPresent(h -> h.descendants().forEach(ProcessHandle::destroyForcibly));
            Syscalls.kill(spawned.pid(), Syscalls.SIGKILL);
            spawned.reaped = true;
            Syscalls.waitpid(spawned.pid(), true);
        }
    }

    private static String diagnostics(MonitorFiles files) {
        return diagnosticsOf(files.conmonLog());
    }

    private static String diagnostics(Path execDir) {
        return diagnosticsOf(execDir.resolve("conmon.log"));
    }

    private static String diagnosticsOf(Path log) {
        try {
            String text = Files.exists(log) ? Files.readString(log).strip() : "";
            if (text.length() > 2000) {
                text = text.substring(text.length() - 2000);
            }
            return text.isEmpty() ? "" : ": " + text;
        } catch (IOException e) {
            return "";
        }
    }

    private String newExecId() {
        byte[] bytes = new byte[8];
        random.nextBytes(bytes);
        return "exec-" + HexFormat.of().formatHex(bytes);
    }

    private static void createDirectories(Path... dirs) {
        for (Path dir : dirs) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + dir, e);
            }
        }
    }

    private static void removeQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.debug("event=cleanup_failed path={} error=\"{}\"", path, e.getMessage());
        }
    }

    private static String checkId(String id) {
        if (id == null || !SAFE_ID.matcher(id).matches()) {
            throw BerthException.invalidArgument("invalid container id " + id);
        }
        return id;
    }
}
