package dev.berth.runtime.container;

import dev.berth.common.error.BerthException;
import dev.berth.runtime.sandbox.OciHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * StopContainer: the stop signal (the config's, else the image's, else SIGTERM), then SIGKILL to every process once
 * the timeout passes; a timeout of 0 kills at once. Waits for the exit to be recorded (the exit watch does that), so
 * the container is EXITED when Stop returns. Idempotent; a missing container is fine.
 */
public final class ContainerStopper {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerStopper.class);
    // After SIGKILL the kernel tears the processes down; this only bounds a stuck monitor.
    private static final Duration KILL_WAIT = Duration.ofSeconds(30);

    private final ContainerRegistry registry;
    private final ContainerHost host;
    private final ContainerExits exits;

    public ContainerStopper(ContainerRegistry registry, ContainerHost host, ContainerExits exits) {
        this.registry = registry;
        this.host = host;
        this.exits = exits;
    }

    public void stop(String idOrPrefix, Duration timeout) {
        Optional<ContainerRecord> found = registry.find(idOrPrefix);
        if (found.isEmpty()) {
            LOG.debug("event=container_stop_missing container={}", idOrPrefix);
            return;
        }
        stopRecord(found.get(), timeout);
    }

    /**
     * Stops many containers (a pod's) with one shared grace period: every stop signal goes out first, then each
     * container gets what is left of the period, so N containers take one timeout, not N.
     */
    void stopAll(Collection<ContainerRecord> records, Duration timeout) {
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        List<ContainerRecord> signalled = new ArrayList<>();
        for (ContainerRecord record : records) {
            if (record.state() == ContainerState.RUNNING && timeout.toNanos() > 0) {
                host.handler(record).runtime().kill(record.id(), Signals.number(record.stopSignal()), false);
                signalled.add(record);
            }
        }
        for (ContainerRecord record : signalled) {
            exits.await(record.id(), Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        for (ContainerRecord record : records) {
            stopRecord(record, Duration.ZERO);
        }
    }

    void stopRecord(ContainerRecord record, Duration timeout) {
        if (record.state() == ContainerState.EXITED || record.state() == ContainerState.CREATING) {
            return;
        }
        String id = record.id();
        OciHandlers.Handler handler = host.handler(record);
        long started = System.nanoTime();
        boolean graceful = record.state() == ContainerState.RUNNING && !timeout.isNegative() && !timeout.isZero();
        if (graceful) {
            int signal = Signals.number(record.stopSignal());
            if (signal == Signals.SIGKILL) {
                exits.expectKill(id);
            }
            if (handler.runtime().kill(id, signal, false) && exits.await(id, timeout)) {
                LOG.info("event=container_stopped container={} signal={} took_ms={}", id, record.stopSignal(),
                        (System.nanoTime() - started) / 1_000_000);
                return;
            }
            if (exits.await(id, Duration.ZERO)) {
                return;
            }
        }
        exits.expectKill(id);
        handler.runtime().kill(id, Signals.SIGKILL, true);
        if (!exits.await(id, KILL_WAIT)) {
            throw BerthException.internal("container " + id + " did not exit within " + KILL_WAIT.toSeconds()
                    + " s of SIGKILL", null);
        }
        LOG.info("event=container_stopped container={} signal=SIGKILL graceful_timeout_s={} took_ms={}", id,
                graceful ? timeout.toSeconds() : 0, (System.nanoTime() - started) / 1_000_000);
    }
}
