package dev.berth.runtime.host.monitor;

import java.nio.file.Path;

/**
 * A conmon started for one container and blocked on its start pipe: its own start-up (exec, option parsing, log
 * set-up) is done while the caller mounts the rootfs and writes the spec. {@link #create} releases it into
 * {@code runtime create}; {@link #close} without {@link #create} kills it (an EOF on the start pipe would read as
 * "go") and removes the log file it opened, if that file is new and empty. Not thread-safe: one owner.
 */
public final class PendingContainer implements AutoCloseable {

    private final MonitorLauncher launcher;
    private final String containerId;
    private final MonitorFiles files;
    private final ConmonProcess conmon;
    private final Path newLog;
    private boolean released;
    private boolean closed;

    PendingContainer(MonitorLauncher launcher, String containerId, MonitorFiles files, ConmonProcess conmon,
            Path newLog) {
        this.launcher = launcher;
        this.containerId = containerId;
        this.files = files;
        this.conmon = conmon;
        this.newLog = newLog;
    }

    public String containerId() {
        return containerId;
    }

    /**
     * Lets conmon run {@code runtime create} (the bundle's config.json must be written by now) and waits for it;
     * same contract as {@link Conmon#create}. Once only.
     */
    public MonitoredContainer create() {
        if (released || closed) {
            throw new IllegalStateException("conmon of " + containerId + " was already released or closed");
        }
        released = true;
        try {
            return launcher.release(containerId, files, conmon);
        } finally {
            conmon.close();
        }
    }

    /** Kills the waiting conmon unless {@link #create} released it; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!released) {
            launcher.abort(containerId, conmon, newLog);
        }
        conmon.close();
    }
}
