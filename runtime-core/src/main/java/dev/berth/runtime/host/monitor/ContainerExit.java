package dev.berth.runtime.host.monitor;

import java.time.Instant;

/**
 * A container's end as its monitor recorded it.
 *
 * @param finishedAt  the exit file's mtime (when conmon saw the exit)
 * @param oomKilled   conmon recorded an OOM kill in the container's cgroup
 * @param monitorLost conmon died without recording an exit: the code is unknown (255) and the time approximate
 */
public record ContainerExit(String containerId, int exitCode, Instant finishedAt, boolean oomKilled,
        boolean monitorLost) {

    public static final int UNKNOWN_EXIT_CODE = 255;
}
