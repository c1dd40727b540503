package dev.berth.runtime.host.oci;

import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import java.nio.file.Path;

/**
 * Inputs of one container's OCI spec.
 *
 * @param rootfs       the mounted root filesystem (its /etc/passwd and /etc/group resolve users)
 * @param pidMode      which PID namespace the container gets
 * @param pidNamespace for POD and TARGET: the namespace file to join, e.g. {@code /proc/<pid>/ns/pid}
 */
public record ContainerSpecRequest(
        String containerId,
        ContainerConfig config,
        ImageDefaults image,
        Path rootfs,
        SandboxContext sandbox,
        PidMode pidMode,
        Path pidNamespace) {

    public LinuxContainerSecurityContext security() {
        return config.getLinux().getSecurityContext();
    }

    public boolean privileged() {
        return security().getPrivileged();
    }
}
