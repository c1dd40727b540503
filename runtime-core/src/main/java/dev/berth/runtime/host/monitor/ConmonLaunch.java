package dev.berth.runtime.host.monitor;

import java.nio.file.Path;

/**
 * One container to create under conmon.
 *
 * @param persistDir  the container's runtime directory (conmon's persist dir: pid files, {@code exit}, {@code oom})
 * @param logPath     the CRI log file (absolute)
 * @param logSizeMax  bytes after which conmon truncates the log; 0 = unlimited
 */
public record ConmonLaunch(String containerId, Path bundle, Path persistDir, Path logPath, boolean stdin,
        boolean stdinOnce, boolean tty, long logSizeMax) {
}
