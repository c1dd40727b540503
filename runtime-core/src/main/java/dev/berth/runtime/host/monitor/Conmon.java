package dev.berth.runtime.host.monitor;

import dev.berth.common.error.BerthException;
import dev.berth.runtime.host.oci.OciRuntime;
import dev.berth.runtime.host.oci.OciSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Runs containers and exec sessions under conmon (one per container; it outlives the daemon), for one OCI runtime.
 * A facade: it checks IDs (they become conmon arguments and file names) and hands each job to its class:
 * {@link MonitorLauncher} (create), {@link ExecSyncRunner} (exec-sync), {@link ControlFifo} (log reopen, resize);
 * {@link ConmonArgs} builds the command lines, {@link ConmonSpawner} starts conmon, {@link ConmonProcess} and
 * {@link SyncPipe} talk to one.
 */
public final class Conmon {

    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private final ConmonSettings settings;
    private final OciRuntime runtime;
    private final MonitorLauncher launcher;
    private final ExecSyncRunner execs;
    private final ConmonSpawner spawner;

    public Conmon(ConmonSettings settings, OciRuntime runtime) {
        this.settings = settings;
        this.runtime = runtime;
        this.spawner = new ConmonSpawner(settings.conmonBinary());
        this.launcher = new MonitorLauncher(settings, runtime, spawner);
        this.execs = new ExecSyncRunner(settings, runtime, spawner);
    }

    public ConmonSettings settings() {
        return settings;
    }

    public OciRuntime runtime() {
        return runtime;
    }

    /** Where a container's attach socket is (it exists from create on). */
    public Path attachSocket(String containerId) {
        return settings.attachSocket(containerId);
    }

    /** Where conmon writes a container's exit code. */
    public Path exitFile(String containerId) {
        return settings.exitFile(containerId);
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
        return launcher.prepare(checkId(launch.containerId()), launch);
    }

    /**
     * Runs a process in a running container and waits for it; {@code timeout} zero means none. At the timeout
     * (counted from the process's start) every process the exec started is killed, those that left its process
     * group too, and reaped before this returns; conmon's own -T, a few seconds later, covers a daemon that dies.
     */
    public ExecSyncResult execSync(String containerId, OciSpec.Process process, Duration timeout) {
        return execs.run(checkId(containerId), process, timeout);
    }

    /**
     * Starts a process in a running container for a streaming client (CRI Exec): its stdio is the returned exec's
     * attach connection, with a real terminal when {@code tty} (the process must say {@code terminal}). The caller
     * closes it, which kills the process if it still runs.
     */
    public StreamingExec execAttach(String containerId, OciSpec.Process process, boolean stdin, boolean tty) {
        return StreamingExec.start(settings, new ConmonArgs(settings, runtime), spawner, checkId(containerId),
                process, stdin, tty);
    }

    /** Asks conmon to reopen the container's log file (after the kubelet renamed it). */
    public void reopenLog(Path bundle) {
        new ControlFifo(bundle).reopenLog();
    }

    /** Tells conmon the terminal's new size. */
    public void resize(Path bundle, int rows, int cols) {
        new ControlFifo(bundle).resize(rows, cols);
    }

    /** Removes what conmon leaves behind once the container is deleted: socket link, control FIFOs, exit file. */
    public void cleanup(String containerId, Path bundle) {
        String id = checkId(containerId);
        MonitorFs.removeQuietly(settings.socketLink(id));
        MonitorFs.removeQuietly(bundle.resolve("ctl"));
        MonitorFs.removeQuietly(bundle.resolve("winsz"));
        MonitorFs.removeQuietly(bundle.resolve("attach"));
        MonitorFs.removeQuietly(settings.exitFile(id));
    }

    private static String checkId(String id) {
        if (id == null || !SAFE_ID.matcher(id).matches()) {
            throw BerthException.invalidArgument("invalid container id " + id);
        }
        return id;
    }
}
