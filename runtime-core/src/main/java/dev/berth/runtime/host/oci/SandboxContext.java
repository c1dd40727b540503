package dev.berth.runtime.host.oci;

import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.runtime.host.files.SandboxFilePaths;
import dev.berth.runtime.host.ns.PinnedNamespaces;
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
}
