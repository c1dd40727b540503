package dev.berth.runtime.stream;

import dev.berth.common.error.BerthException;
import dev.berth.runtime.container.AttachTarget;
import dev.berth.runtime.container.ContainerAttacher;
import dev.berth.runtime.container.ContainerHost;
import dev.berth.runtime.container.ContainerRecord;
import dev.berth.runtime.container.ContainerRegistry;
import dev.berth.runtime.host.monitor.StreamingExec;
import dev.berth.runtime.host.oci.ContainerSpecBuilder;
import dev.berth.runtime.host.oci.OciJson;
import dev.berth.runtime.host.oci.OciSpec;
import dev.berth.runtime.host.sys.SyscallException;
import java.io.IOException;
import java.util.List;

/**
 * What the streaming server asks runtime-core for: port-forward connections, exec and attach sessions, each as plain
 * Java streams. The {@code check} methods fail fast inside the CRI call; the others run when a client comes.
 */
public final class StreamSessions {

    private final PortForwarder ports;
    private final ContainerRegistry containers;
    private final ContainerHost host;
    private final ContainerAttacher attacher;
    private final OciJson json = new OciJson();

    public StreamSessions(PortForwarder ports, ContainerRegistry containers, ContainerHost host) {
        this.ports = ports;
        this.containers = containers;
        this.host = host;
        this.attacher = new ContainerAttacher(containers, host);
    }

    /** The container exists and runs. [NOT_FOUND, FAILED_PRECONDITION] */
    public void checkExec(String containerId) {
        running(containerId);
    }

    /** The container exists and runs. [NOT_FOUND, FAILED_PRECONDITION] */
    public void checkAttach(String containerId) {
        attacher.attach(containerId);
    }

    /** Runs {@code cmd} in the container with the container's identity and environment, under its own conmon. */
    public Session exec(String containerId, List<String> cmd, StdioRequest stdio) {
        if (cmd.isEmpty()) {
            throw BerthException.invalidArgument("cmd must not be empty");
        }
        ContainerRecord record = running(containerId);
        OciSpec spec = json.readConfig(host.bundle(record.id()));
        OciSpec.Process process = ContainerSpecBuilder.execProcess(spec, cmd, stdio.tty());
        StreamingExec exec = host.handler(record).conmon().execAttach(record.id(), process, stdio.stdin(),
                stdio.tty());
        return new ExecSession(exec, stdio);
    }

    /** Attaches to the running container's own stdio. */
    public Session attach(String containerId, StdioRequest stdio) {
        AttachTarget target = attacher.attach(containerId);
        try {
            return new AttachSession(target, stdio, (rows, cols) -> attacher.resize(target.containerId(), rows,
                    cols));
        } catch (SyscallException e) {
            throw BerthException.failedPrecondition("cannot attach to container " + target.containerId() + ": "
                    + e.getMessage());
        }
    }

    private ContainerRecord running(String containerId) {
        ContainerRecord record = containers.get(containerId);
        if (!record.isRunning()) {
            throw BerthException.failedPrecondition("container " + record.id() + " is " + record.state()
                    + ", not RUNNING");
        }
        return record;
    }

    /** The sandbox exists and is READY. [NOT_FOUND, FAILED_PRECONDITION] */
    public void checkPortForward(String sandboxId) {
        ports.check(sandboxId);
    }

    /** A TCP connection to localhost:port in the sandbox's network; ConnectException if nothing listens. */
    public PortStream portForward(String sandboxId, int port) throws IOException {
        return ports.connect(sandboxId, port);
    }
}
