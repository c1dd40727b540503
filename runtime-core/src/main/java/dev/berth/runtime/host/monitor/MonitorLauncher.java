package dev.berth.runtime.host.monitor;

import dev.berth.common.error.BerthException;
import dev.berth.runtime.host.oci.OciRuntime;
import dev.berth.runtime.host.oci.RuntimeErrorText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a container's conmon and has it run {@code runtime create}. conmon waits for one byte on its start pipe
 * before it forks and runs the runtime, so {@link #prepare} starts it early: its own start-up overlaps the caller's
 * preparation of the bundle ({@link PendingContainer}). On any failure nothing is left in the runtime.
 */
final class MonitorLauncher {

    private static final Logger LOG = LoggerFactory.getLogger(MonitorLauncher.class);
    private static final int MAX_SOCKET_PATH = 107;

    private final ConmonSettings settings;
    private final OciRuntime runtime;
    private final ConmonArgs args;
    private final ConmonSpawner spawner;

    MonitorLauncher(ConmonSettings settings, OciRuntime runtime, ConmonSpawner spawner) {
        this.settings = settings;
        this.runtime = runtime;
        this.args = new ConmonArgs(settings, runtime);
        this.spawner = spawner;
    }

    /** See {@link Conmon#prepare}; {@code id} is checked. */
    PendingContainer prepare(String id, ConmonLaunch launch) {
        Path attach = settings.attachSocket(id);
        if (attach.toString().length() > MAX_SOCKET_PATH) {
            throw BerthException.failedPrecondition("attach socket path too long (" + attach.toString().length()
                    + " > " + MAX_SOCKET_PATH + "): " + attach);
        }
        MonitorFiles files = new MonitorFiles(launch.persistDir());
        Path logPath = launch.logPath().toAbsolutePath();
        MonitorFs.createDirectories(settings.exitDir(), settings.socketDir(), launch.persistDir(),
                logPath.getParent());
        // conmon opens (creates) the log before it waits for the start byte: an aborted start removes a new one.
        boolean logExisted = Files.exists(logPath);
        ConmonProcess conmon = spawner.spawn(args.create(id, launch, files, logPath), launch.bundle(),
                files.conmonLog());
        return new PendingContainer(this, id, files, conmon, logExisted ? null : logPath);
    }

    /** Releases a prepared conmon and waits for {@code runtime create}; see {@link PendingContainer#create}. */
    MonitoredContainer release(String id, MonitorFiles files, ConmonProcess conmon) {
        long started = System.nanoTime();
        SyncMessage message;
        try {
            // The start pipe: conmon waits for one byte before it runs the runtime.
            conmon.release();
            message = conmon.sync().read(settings.createTimeout(), 1).get(0);
        } catch (TimeoutException e) {
            killConmon(files, conmon);
            runtime.delete(id, true);
            throw new BerthException(BerthException.Kind.DEADLINE_EXCEEDED,
                    "conmon did not report container " + id + " created within " + settings.createTimeout());
        } catch (SyncPipe.MonitorDiedException e) {
            conmon.reap();
            runtime.delete(id, true);
            throw BerthException.internal("conmon exited before creating container " + id + conmon.diagnostics(),
                    null);
        } catch (RuntimeException e) {
            killConmon(files, conmon);
            runtime.delete(id, true);
            throw e;
        }
        // conmon's first process exits once it forked the monitor; reap it (normally it is long gone by now).
        conmon.reap();
        if (message.failed()) {
            runtime.delete(id, true);
            MonitorFs.removeQuietly(settings.socketLink(id));
            MonitorFs.removeQuietly(settings.exitFile(id));
            String reason = RuntimeErrorText.of(message.message());
            LOG.warn("event=container_create_failed container={} error=\"{}\"", id, reason);
            throw BerthException.internal("cannot create container " + id + ": " + reason, null);
        }
        OptionalLong conmonPid = files.conmonPid();
        LOG.info("event=container_created container={} pid={} conmon_pid={} took_ms={}", id, message.data(),
                conmonPid.orElse(-1), (System.nanoTime() - started) / 1_000_000);
        return new MonitoredContainer(id, (int) message.data(), conmonPid.orElse(-1), settings.attachSocket(id));
    }

    /** Kills a prepared conmon that was never released (it is still its first process, blocked on the pipe). */
    void abort(String id, ConmonProcess conmon, Path newLog) {
        conmon.kill();
        conmon.close();
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

    /** Kills the daemonized monitor (by its PID file, if it is still a conmon) and then the first process. */
    private static void killConmon(MonitorFiles files, ConmonProcess conmon) {
        files.conmonPid().ifPresent(pid -> ProcessHandle.of(pid)
                .filter(h -> h.info().command().map(c -> c.endsWith("conmon")).orElse(false))
                .ifPresent(h -> {
                    h.descendants().forEach(ProcessHandle::destroyForcibly);
                    h.destroyForcibly();
                }));
        conmon.killTree();
    }
}
