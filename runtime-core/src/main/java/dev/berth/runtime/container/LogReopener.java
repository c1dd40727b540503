package dev.berth.runtime.container;

import dev.berth.common.error.BerthException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ReopenContainerLog: after the kubelet renamed the live log, asks conmon to open a new file at the log path. A
 * container that is not running gets FAILED_PRECONDITION and no file is created (api.proto: after an error the
 * runtime must not create one). conmon gives no acknowledgement, so this waits briefly for the new file to exist.
 */
public final class LogReopener {

    private static final Logger LOG = LoggerFactory.getLogger(LogReopener.class);
    private static final Duration APPEAR_WAIT = Duration.ofSeconds(2);

    private final ContainerRegistry registry;
    private final ContainerHost host;

    public LogReopener(ContainerRegistry registry, ContainerHost host) {
        this.registry = registry;
        this.host = host;
    }

    public void reopen(String idOrPrefix) {
        ContainerRecord record = registry.get(idOrPrefix);
        if (!record.isRunning()) {
            throw BerthException.failedPrecondition("container " + record.id() + " is " + record.state()
                    + ", not RUNNING: its log cannot be reopened");
        }
        host.handler(record).conmon().reopenLog(host.bundle(record.id()));
        if (!record.logPath().isEmpty()) {
            awaitFile(Path.of(record.logPath()));
        }
        LOG.info("event=container_log_reopened container={} path={}", record.id(), record.logPath());
    }

    private static void awaitFile(Path log) {
        long deadline = System.nanoTime() + APPEAR_WAIT.toNanos();
        while (!Files.exists(log) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
