package dev.berth.runtime.container;

import dev.berth.common.error.BerthException;
import dev.berth.runtime.host.monitor.ExecSyncResult;
import dev.berth.runtime.host.oci.ContainerSpecBuilder;
import dev.berth.runtime.host.oci.OciJson;
import dev.berth.runtime.host.oci.OciSpec;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ExecSync: runs a command in a running container with the container's identity and environment, under conmon,
 * which enforces the timeout itself (the kubelet's own deadline is the probe timeout plus two minutes). A timeout is
 * DEADLINE_EXCEEDED, which the kubelet reads as a timed-out probe.
 */
public final class ContainerExecutor {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerExecutor.class);

    private final ContainerRegistry registry;
    private final ContainerHost host;
    private final OciJson json = new OciJson();

    public ContainerExecutor(ContainerRegistry registry, ContainerHost host) {
        this.registry = registry;
        this.host = host;
    }

    /** @param timeout zero for none */
    public ExecResult execSync(String idOrPrefix, List<String> command, Duration timeout) {
        if (command.isEmpty()) {
            throw BerthException.invalidArgument("cmd must not be empty");
        }
        ContainerRecord record = registry.get(idOrPrefix);
        if (!record.isRunning()) {
            throw BerthException.failedPrecondition("container " + record.id() + " is " + record.state()
                    + ", not RUNNING");
        }
        OciSpec spec = json.readConfig(host.bundle(record.id()));
        OciSpec.Process process = ContainerSpecBuilder.execProcess(spec, command, false);
        long started = System.nanoTime();
        ExecSyncResult result = host.handler(record).conmon().execSync(record.id(), process, timeout);
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        if (result.timedOut()) {
            LOG.info("event=exec_sync_timeout container={} timeout_s={} took_ms={}", record.id(),
                    timeout.toSeconds(), tookMs);
            throw new BerthException(BerthException.Kind.DEADLINE_EXCEEDED, "command " + command + " in container "
                    + record.id() + " timed out after " + timeout.toSeconds() + " s");
        }
        LOG.debug("event=exec_sync container={} exit_code={} took_ms={}", record.id(), result.exitCode(), tookMs);
        return new ExecResult(result.exitCode(), result.stdout(), result.stderr());
    }
}
