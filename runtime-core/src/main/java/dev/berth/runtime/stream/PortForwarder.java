package dev.berth.runtime.stream;

import dev.berth.common.error.BerthException;
import dev.berth.runtime.host.sys.Binaries;
import dev.berth.runtime.sandbox.SandboxContexts;
import dev.berth.runtime.sandbox.SandboxRecord;
import dev.berth.runtime.sandbox.SandboxRegistry;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Port-forward: a TCP connection to 127.0.0.1:port in a pod's network, one helper process per connection (so that a
 * connection's end is a process's end: nothing shared to leak or to wedge); a host-network pod is the node's
 * network, reached from the JVM directly. IPv4 loopback, as containerd dials it.
 */
public final class PortForwarder {

    static final String LOOPBACK = "127.0.0.1";
    private static final int CONNECT_TIMEOUT_SECONDS = 10;

    private final SandboxRegistry sandboxes;
    private final SandboxContexts contexts;

    public PortForwarder(SandboxRegistry sandboxes, SandboxContexts contexts) {
        this.sandboxes = sandboxes;
        this.contexts = contexts;
    }

    /** The sandbox exists and is ready. [NOT_FOUND, FAILED_PRECONDITION] */
    public SandboxRecord check(String sandboxIdOrPrefix) {
        SandboxRecord record = sandboxes.get(sandboxIdOrPrefix);
        if (!record.isReady()) {
            throw BerthException.failedPrecondition("sandbox " + record.id() + " is " + record.state()
                    + ", not READY");
        }
        return record;
    }

    /** Connects; a port nothing listens on throws ConnectException promptly. */
    public PortStream connect(String sandboxIdOrPrefix, int port) throws IOException {
        if (port <= 0 || port > 65535) {
            throw BerthException.invalidArgument("invalid port " + port);
        }
        SandboxRecord record = check(sandboxIdOrPrefix);
        Path netns = contexts.namespaces(record.id(), record.namespaces()).net();
        if (netns == null) {
            return SocketPortStream.connect(port, CONNECT_TIMEOUT_SECONDS * 1000);
        }
        return RelayPortStream.connect(Binaries.find("nsenter"), Binaries.find("socat"), netns, port,
                CONNECT_TIMEOUT_SECONDS);
    }
}
