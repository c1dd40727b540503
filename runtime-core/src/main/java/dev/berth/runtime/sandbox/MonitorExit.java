package dev.berth.runtime.sandbox;

import dev.berth.runtime.host.monitor.MonitorFiles;
import dev.berth.runtime.host.sys.SyscallException;
import dev.berth.runtime.host.sys.Syscalls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for a container's conmon to go away. conmon writes the exit file and then exits; removal waits for the
 * second step so that no monitor outlives the container it watched.
 */
public final class MonitorExit {

    private static final Logger LOG = LoggerFactory.getLogger(MonitorExit.class);

    private MonitorExit() {
    }

    /**
     * Waits up to {@code timeout} for the conmon recorded in {@code persistDir}, if it still runs. The wait is a
     * pidfd (woken by the kernel at the exit), not the JDK's polling of a non-child process, which sleeps 300 ms
     * before its first re-check.
     */
    public static void await(Path persistDir, Duration timeout) {
        OptionalLong pid = new MonitorFiles(persistDir).conmonPid();
        if (pid.isEmpty() || pid.getAsLong() <= 0 || pid.getAsLong() > Integer.MAX_VALUE) {
            return;
        }
        int fd;
        try {
            fd = Syscalls.pidfdOpen((int) pid.getAsLong());
        } catch (SyscallException e) {
            LOG.debug("event=conmon_wait_failed pid={} error=\"{}\"", pid.getAsLong(), e.getMessage());
            return;
        }
        if (fd < 0) {
            return; // already gone
        }
        try {
            // Checked after the pidfd pins the process: a reused PID that is not a conmon is not waited for.
            boolean isConmon = ProcessHandle.of(pid.getAsLong())
                    .flatMap(h -> h.info().command())
                    .map(c -> c.endsWith("conmon"))
                    .orElse(false);
            if (isConmon && !Syscalls.awaitReadable(fd, timeout.toMillis())) {
                LOG.warn("event=conmon_still_running pid={} persist_dir={}", pid.getAsLong(), persistDir);
            }
        } catch (SyscallException e) {
            LOG.debug("event=conmon_wait_failed pid={} error=\"{}\"", pid.getAsLong(), e.getMessage());
        } finally {
            Syscalls.close(fd);
        }
    }
}
