package dev.berth.runtime.store;

import java.nio.file.Path;

/**
 * Where berth keeps things. Records (kept across a reboot, so exited pods and containers are still reported) live
 * under the root directory; what only makes
 * sense while the node is up (OCI runtime state, conmon sockets and exit files, bundles, shm mounts, namespace
 * pins) lives under the state directory, a tmpfs in production.
 *
 * @param rootDir e.g. /var/lib/berth
 * @param stateDir e.g. /run/berth
 */
public record StateLayout(Path rootDir, Path stateDir) {

    public StateLayout {
        rootDir = rootDir.toAbsolutePath().normalize();
        stateDir = stateDir.toAbsolutePath().normalize();
    }

    public Path sandboxRecords() {
        return rootDir.resolve("sandboxes");
    }

    public Path containerRecords() {
        return rootDir.resolve("containers");
    }

    /** The sandbox's hostname, hosts and resolv.conf (next to its record). */
    public Path sandboxFiles(String sandboxId) {
        return sandboxRecords().resolve(sandboxId);
    }

    /** The sandbox's shm mount and PID-holder bundle. */
    public Path sandboxRuntime(String sandboxId) {
        return stateDir.resolve("sandboxes").resolve(sandboxId);
    }

    /** The container's OCI bundle (config.json) and conmon's persist directory (exit and oom files). */
    public Path containerBundle(String containerId) {
        return stateDir.resolve("containers").resolve(containerId);
    }

    /** The {@code --root} of one OCI runtime handler. */
    public Path ociRoot(String handler) {
        return stateDir.resolve("oci").resolve(handler);
    }
}
