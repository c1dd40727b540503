package dev.berth.runtime.host.monitor;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.error.BerthException;
import dev.berth.common.fs.Trees;
import dev.berth.runtime.host.oci.OciJson;
import dev.berth.runtime.host.oci.OciSpec;
import dev.berth.runtime.host.sys.SeqPacketSocket;
import dev.berth.runtime.host.sys.Syscalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One streaming exec (CRI Exec) under its own conmon in exec-attach mode. The order, as conmon 2.1.6 wants it: the
 * first start byte lets conmon make the exec's attach socket, it says so on the attach pipe, berth connects, and the
 * second start byte lets it run {@code runtime exec} (with a tty, through the runtime's console socket, so the
 * process gets a real terminal). Nothing the process writes is lost, because berth is connected before it starts.
 * The sync pipe then says the PID (or the runtime's error), and the exit code once conmon has drained the output.
 * A thread per exec waits for that exit and reaps conmon; {@link #close} on a running exec kills every process of
 * it, as a timed-out ExecSync does ({@link ExecTree}).
 */
public final class StreamingExec implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamingExec.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);
    private static final long FOREVER = Duration.ofDays(3650).toNanos();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String containerId;
    private final String execId;
    private final ConmonSettings settings;
    private final ExecFiles files;
    private final ConmonProcess conmon;
    private final SeqPacketSocket socket;
    private final long execPid;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private boolean closed;

    private StreamingExec(String containerId, String execId, ConmonSettings settings, ExecFiles files,
            ConmonProcess conmon, SeqPacketSocket socket, long execPid) {
        this.containerId = containerId;
        this.execId = execId;
        this.settings = settings;
        this.files = files;
        this.conmon = conmon;
        this.socket = socket;
        this.execPid = execPid;
    }

    /** Starts the process; returns once it runs. [INTERNAL with the runtime's message, e.g. no such executable] */
    static StreamingExec start(ConmonSettings settings, ConmonArgs args, ConmonSpawner spawner, String id,
            OciSpec.Process process, boolean stdin, boolean tty) {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        String execId = "exec-" + HexFormat.of().formatHex(bytes);
        ExecFiles files = new ExecFiles(settings.execDir().resolve(execId));
        MonitorFs.createDirectories(files.dir(), settings.socketDir());
        ConmonProcess conmon = null;
        SeqPacketSocket socket = null;
        try {
            Files.write(files.processSpec(), new OciJson().toBytes(process));
            int[] attachPipe = Syscalls.pipe();
            try {
                conmon = spawner.spawnWithAttachPipe(args.execAttach(id, execId, files, stdin, tty), files.dir(),
                        files.conmonLog(), attachPipe[1]);
            } finally {
                Syscalls.close(attachPipe[1]);
            }
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            try (SyncPipe attached = new SyncPipe(attachPipe[0], new ObjectMapper().reader())) {
                conmon.releaseForAttach();
                if (attached.next(deadline).isEmpty()) {
                    throw BerthException.internal("conmon exited before its attach socket was ready"
                            + conmon.diagnostics(), null);
                }
            }
            socket = SeqPacketSocket.connect(settings.attachSocket(execId));
            conmon.release();
            Optional<SyncMessage> started = conmon.sync().next(deadline);
            if (started.isEmpty()) {
                throw BerthException.internal("conmon exited during exec in " + id + conmon.diagnostics(), null);
            }
            if (started.get().failed()) {
                throw BerthException.internal("exec in container " + id + " failed: " + started.get().message(),
                        null);
            }
            StreamingExec exec = new StreamingExec(id, execId, settings, files, conmon, socket,
                    started.get().data());
            Thread waiter = new Thread(exec::waitForExit, "exec-wait-" + execId);
            waiter.setDaemon(true);
            waiter.start();
            return exec;
        } catch (IOException | TimeoutException | RuntimeException e) {
            if (socket != null) {
                socket.close();
            }
            if (conmon != null) {
                conmon.killTree();
                conmon.close();
            }
            removeFiles(settings, execId, files);
            if (e instanceof BerthException berth) {
                throw berth;
            }
            throw BerthException.internal("exec in container " + id + ": " + e.getMessage(), e);
        }
    }

    /** The exec's attach connection; the caller reads and writes it but does not close it before {@link #close}. */
    public SeqPacketSocket socket() {
        return socket;
    }

    /** Resizes the exec's terminal (its own control FIFO). [FAILED_PRECONDITION once it ended] */
    public void resize(int rows, int cols) {
        new ControlFifo(files.dir()).resize(rows, cols);
    }

    /** The exit code, once conmon reported it; -1 if conmon ended without one. */
    public int awaitExit() throws InterruptedException {
        try {
            return exit.get();
        } catch (ExecutionException e) {
            return -1;
        }
    }

    /** Whether conmon reported the exit and is reaped. */
    public boolean exited() {
        return exit.isDone();
    }

    private void waitForExit() {
        int code = -1;
        try {
            Optional<SyncMessage> message = conmon.sync().next(System.nanoTime() + FOREVER);
            if (message.isPresent() && !message.get().failed()) {
                code = (int) message.get().data();
            }
        } catch (TimeoutException | RuntimeException e) {
            LOG.warn("event=exec_wait_failed container={} exec={} error=\"{}\"", containerId, execId, e.toString());
        } finally {
            conmon.awaitExit(System.nanoTime() + FOREVER);
            exit.complete(code);
        }
    }

    /** Kills the exec if it still runs, waits until conmon and every process of it are gone, removes its files. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            kill();
        } finally {
            socket.close();
            conmon.close();
            removeFiles(settings, execId, files);
        }
    }

    /** Kills every process of the exec if it still runs and waits until they and conmon are gone. */
    public synchronized void kill() {
        try {
            if (!exit.isDone()) {
                ExecTree tree = new ExecTree(conmon.pid(), execPid);
                long deadline = System.nanoTime() + KILL_GRACE.toNanos();
                tree.killAll(deadline);
                try {
                    exit.get(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    LOG.warn("event=exec_conmon_stuck container={} exec={} pid={}", containerId, execId,
                            conmon.pid());
                    conmon.killTree();
                }
                List<Long> left = tree.awaitReaped(System.nanoTime() + KILL_GRACE.toNanos());
                if (!left.isEmpty()) {
                    LOG.warn("event=exec_processes_left container={} exec={} pids={}", containerId, execId, left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeFiles(ConmonSettings settings, String execId, ExecFiles files) {
        MonitorFs.removeQuietly(settings.socketLink(execId));
        try {
            Trees.deleteRecursively(files.dir());
        } catch (UncheckedIOException e) {
            LOG.warn("event=exec_dir_cleanup_failed dir={} error=\"{}\"", files.dir(), e.getMessage());
        }
    }
}
