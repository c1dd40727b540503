package dev.berth.runtime.host.oci;

import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.runtime.host.files.SandboxFilePaths;
import dev.berth.runtime.host.ns.PinnedNamespaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a container inherits from its sandbox.
 *
 * @param cgroupParent the pod's cgroup parent (empty: the driver's default)
 * @param files        the sandbox's hostname/hosts/resolv.conf (null: none are mounted)
 * @param shm          the sandbox's shm tmpfs (null: the host's /dev/shm, for IPC NODE mode)
 */
public record SandboxContext(
        String sandboxId,
        PodSandboxConfig config,
        PinnedNamespaces namespaces,
        String cgroupParent,
        SandboxFilePaths files,
        Path shm) {

    /** The pod's hostname: the config's, or the node's when none is given (host-network pods, bare crictl configs). */
    public String hostname() {
        return hostnameOf(config);
    }

    public static String hostnameOf(PodSandboxConfig config) {
        if (!config.getHostname().isEmpty()) {
            return config.getHostname();
        }
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
