package dev.berth.runtime.sandbox;

import dev.berth.runtime.host.monitor.MonitorFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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

    /** Waits up to {@code timeout} for the conmon recorded in {@code persistDir}, if it still runs. */
    public static void await(Path persistDir, Duration timeout) {
        OptionalLong pid = new MonitorFiles(persistDir).conmonPid();
        if (pid.isEmpty()) {
            return;
        }
        Optional<ProcessHandle> conmon = ProcessHandle.of(pid.getAsLong())
                .filter(h -> h.info().command().map(c -> c.endsWith("conmon")).orElse(false));
        if (conmon.isEmpty()) {
            return;
        }
        try {
            conmon.get().onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("event=conmon_still_running pid={} persist_dir={}", pid.getAsLong(), persistDir);
        } catch (ExecutionException e) {
            LOG.debug("event=conmon_wait_failed pid={} error=\"{}\"", pid.getAsLong(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
