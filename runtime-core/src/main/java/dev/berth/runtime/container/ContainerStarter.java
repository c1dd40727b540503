package dev.berth.runtime.container;

import dev.berth.common.error.BerthException;
import dev.berth.common.time.EpochNanos;
import dev.berth.runtime.sandbox.OciHandlers;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * StartContainer: {@code runc start}, then RUNNING with its start time. Holds the container's lock so that an exit
 * reported right away (a short-lived command) is recorded after the start, never before it. A start that fails
 * leaves the container EXITED with reason {@code StartError} and exit code 128, as containerd does.
 */
public final class ContainerStarter {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerStarter.class);
    private static final int START_ERROR_EXIT = 128;

    private final ContainerRegistry registry;
    private final ContainerHost host;
    private final EventNotifier notifier;
    private final Clock clock;

    public ContainerStarter(ContainerRegistry registry, ContainerHost host, EventNotifier notifier, Clock clock) {
        this.registry = registry;
        this.host = host;
        this.notifier = notifier;
        this.clock = clock;
    }

    public void start(String idOrPrefix) {
        String id = registry.get(idOrPrefix).id();
        registry.locks().with(id, () -> startLocked(id));
    }

    private void startLocked(String id) {
        ContainerRecord record = registry.byFullId(id).orElseThrow(() ->
                BerthException.notFound("container " + id + " not found"));
        if (record.state() != ContainerState.CREATED) {
            throw BerthException.failedPrecondition("container " + id + " is " + record.state()
                    + ", only a CREATED container can be started");
        }
        OciHandlers.Handler handler = host.handler(record);
        try {
            handler.runtime().start(id);
        } catch (BerthException e) {
            ContainerRecord failed = record.exited(EpochNanos.now(clock), START_ERROR_EXIT, "StartError",
                    e.getMessage());
            registry.save(failed);
            // Don't leave the created process waiting: the exit it causes is ignored (already EXITED).
            try {
                handler.runtime().kill(id, Signals.SIGKILL, true);
            } catch (BerthException killFailure) {
                LOG.warn("event=start_error_kill_failed container={} error=\"{}\"", id, killFailure.getMessage());
            }
            LOG.warn("event=container_start_failed container={} error=\"{}\"", id, e.getMessage());
            throw e;
        }
        ContainerRecord running = record.started(EpochNanos.now(clock), record.pid());
        registry.save(running);
        LOG.info("event=container_started container={} pid={}", id, running.pid());
        // Published under the lock: the exit's STOPPED event can only follow it.
        notifier.notify(running, ContainerEventType.CONTAINER_STARTED);
    }
}
