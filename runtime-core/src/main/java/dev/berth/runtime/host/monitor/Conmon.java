package dev.berth.runtime.host.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.error.BerthException;
import dev.berth.common.fs.Trees;
import dev.berth.runtime.host.oci.OciJson;
import dev.berth.runtime.host.oci.OciRuntime;
import dev.berth.runtime.host.oci.OciSpec;
import dev.berth.runtime.host.sys.SyscallException;
import dev.berth.runtime.host.sys.Syscalls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs containers and exec sessions under conmon (one per container; it outlives the daemon). conmon takes its sync
 * and start pipes as inherited fds 3 and 4, which ProcessBuilder cannot pass; a {@code /bin/sh} trampoline
 * ({@code exec "$@"}: no command text is ever interpreted) puts the process's stdin pipe on fd 4 and a named pipe on
 * fd 3. The sync channel is a FIFO rather than the process's stdout because conmon daemonizes: the JDK drains and
 * closes a child's stdout pipe as soon as that child exits, which would race with the daemon's sync message.
 */
public final class Conmon {

    private static final Logger LOG = LoggerFactory.getLogger(Conmon.class);
    // $1 is the sync FIFO; the rest is conmon's argv. The script text is constant: no input is ever interpreted.
    private static final String TRAMPOLINE = "sync=$1; shift; exec \"$@\" 3>\"$sync\" 4<&0 </dev/null >/dev/null";
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final int MAX_SOCKET_PATH = 107;
    static final int SOCKET_NAME_LENGTH = 24;
    private static final int MAX_EXEC_OUTPUT = 16 * 1024 * 1024;
    // Beyond conmon's own -T: if conmon itself hangs, berth gives up this much later.
    private static final Duration EXEC_BACKSTOP_SLACK = Duration.ofSeconds(10);

    private final ConmonSettings settings;
    private final OciRuntime runtime;
    private final OciJson json = new OciJson();
    private final ObjectMapper mapper = new ObjectMapper();
    private final SecureRandom random = new SecureRandom();
    private final ExecutorService readers = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "conmon-sync-reader");
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
        String id = checkId(launch.containerId());
        Path attach = attachSocket(id);
        if (attach.toString().length() > MAX_SOCKET_PATH) {
            throw BerthException.failedPrecondition("attach socket path too long (" + attach.toString().length()
                    + " > " + MAX_SOCKET_PATH + "): " + attach);
        }
        MonitorFiles files = new MonitorFiles(launch.persistDir());
        createDirectories(settings.exitDir(), settings.socketDir(), launch.persistDir(),
                launch.logPath().toAbsolutePath().getParent());
        List<String> argv = new ArrayList<>(List.of(
                "--api-version",
                "-c", id,
                "-u", socketName(id),
                "-r", runtime.binary().toString(),
                "-b", launch.bundle().toAbsolutePath().toString(),
                "-p", files.containerPidFile().toString(),
                "-P", files.conmonPidFile().toString(),
                "-l", "k8s-file:" + launch.logPath().toAbsolutePath(),
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
        long started = System.nanoTime();
        Path fifo = launch.persistDir().resolve("sync");
        SyncMessage message;
        try {
            Process process = spawn(argv, launch.bundle(), files.conmonLog(), fifo);
            try {
                message = readSync(fifo, settings.createTimeout(), 1).get(0);
            } catch (TimeoutException e) {
                killConmon(files, process);
                unblock(fifo);
                runtime.delete(id, true);
                throw new BerthException(BerthException.Kind.DEADLINE_EXCEEDED,
                        "conmon did not report container " + id + " created within " + settings.createTimeout());
            } catch (MonitorDiedException e) {
                runtime.delete(id, true);
                throw BerthException.internal("conmon exited before creating container " + id + diagnostics(files),
                        null);
            }
        } finally {
            removeQuietly(fifo);
        }
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
        return new MonitoredContainer(id, (int) message.data(), conmonPid.orElse(-1), attach);
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
            Path fifo = dir.resolve("sync");
            Process conmon = spawn(argv, dir, dir.resolve("conmon.log"), fifo);
            List<SyncMessage> messages;
            try {
                messages = readSync(fifo, backstop, 2);
            } catch (TimeoutException e) {
                LOG.warn("event=exec_backstop container={} exec={}", id, execId);
                killExec(dir, conmon);
                unblock(fifo);
                return new ExecSyncResult(-1, new byte[0], "command timed out".getBytes(StandardCharsets.UTF_8),
                        true);
            } catch (MonitorDiedException e) {
                throw BerthException.internal("conmon exited during exec in " + id + diagnostics(dir), null);
            }
            waitQuietly(conmon);
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

    private Process spawn(List<String> conmonArgs, Path directory, Path stderrFile, Path syncFifo) {
        try {
            Files.deleteIfExists(syncFifo);
            Syscalls.mkfifo(syncFifo.toString());
        } catch (IOException | SyscallException e) {
            throw BerthException.internal("cannot create conmon sync pipe " + syncFifo + ": " + e.getMessage(), e);
        }
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", TRAMPOLINE, "sh", syncFifo.toString(),
                settings.conmonBinary().toString()));
        argv.addAll(conmonArgs);
        ProcessBuilder builder = new ProcessBuilder(argv);
        builder.directory(directory.toFile());
        builder.environment().put("_OCI_SYNCPIPE", "3");
        builder.environment().put("_OCI_STARTPIPE", "4");
        builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.redirectError(ProcessBuilder.Redirect.appendTo(stderrFile.toFile()));
        try {
            Process process = builder.start();
            // The start pipe: conmon waits for one byte before running the runtime.
            try (OutputStream start = process.getOutputStream()) {
                start.write(0);
            }
            return process;
        } catch (IOException e) {
            throw BerthException.internal("cannot start conmon: " + e.getMessage(), e);
        }
    }

    /** Reads conmon's sync messages; EOF (every writer gone) before the first one means conmon died. */
    private List<SyncMessage> readSync(Path fifo, Duration timeout, int wanted)
            throws TimeoutException, MonitorDiedException {
        CompletableFuture<List<String>> lines = CompletableFuture.supplyAsync(() -> {
            List<String> result = new ArrayList<>();
            // Opening blocks until the trampoline opens the write end (or unblock() does).
            try (BufferedReader reader = Files.newBufferedReader(fifo, StandardCharsets.UTF_8)) {
                String line;
                while (result.size() < wanted && (line = reader.readLine()) != null) {
                    if (!line.isBlank()) {
                        result.add(line);
                    }
                }
            } catch (IOException e) {
                // a closed pipe ends the messages
            }
            return result;
        }, readers);
        List<String> raw;
        try {
            raw = lines.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BerthException(BerthException.Kind.CANCELLED, "interrupted while waiting for conmon");
        } catch (ExecutionException e) {
            throw BerthException.internal("cannot read conmon's sync pipe", e.getCause());
        } catch (TimeoutException e) {
            lines.cancel(true);
            throw e;
        }
        if (raw.isEmpty()) {
            throw new MonitorDiedException();
        }
        List<SyncMessage> messages = new ArrayList<>();
        for (String line : raw) {
            messages.add(parse(line));
        }
        return messages;
    }

    /** Releases a reader still waiting in open() for a writer that will never come. */
    private static void unblock(Path fifo) {
        try {
            Syscalls.writeFifo(fifo.toString(), "\n".getBytes(StandardCharsets.US_ASCII));
        } catch (SyscallException e) {
            // ENXIO: no reader is waiting
        }
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

    private static void killConmon(MonitorFiles files, Process process) {
        files.conmonPid().ifPresent(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        waitQuietly(process);
    }

    private static void killExec(Path dir, Process conmon) {
        MonitorFiles.readPid(dir.resolve("pid")).ifPresent(pid -> ProcessHandle.of(pid).ifPresent(h -> {
            h.descendants().forEach(ProcessHandle::destroyForcibly);
            h.destroyForcibly();
        }));
        conmon.descendants().forEach(ProcessHandle::destroyForcibly);
        conmon.destroyForcibly();
        waitQuietly(conmon);
    }

    private static void waitQuietly(Process process) {
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
