package dev.berth.runtime.host.oci.spec;

import dev.berth.proto.runtime.v1.Capability;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerResources;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.Mount;
import dev.berth.proto.runtime.v1.SecurityProfile;
import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.ImageDefaults;
import dev.berth.runtime.host.oci.PidMode;
import dev.berth.runtime.host.oci.SandboxContext;
import java.nio.file.Path;

/**
 * A pod's PID-namespace holder described as a CRI container, so that the steps it shares with containers read its
 * settings like any other request's: a read-only root, the default masked and read-only paths, no capabilities,
 * no_new_privs, the RuntimeDefault seccomp filter, the smallest CPU weight, and its binary from the host as its one
 * mount. It only reaps orphans; nothing about it is configurable.
 */
public final class PidHolderRequest {

    private static final ContainerConfig CONFIG = ContainerConfig.newBuilder()
            .setLinux(LinuxContainerConfig.newBuilder()
                    .setResources(LinuxContainerResources.newBuilder().setCpuShares(2))
                    .setSecurityContext(LinuxContainerSecurityContext.newBuilder()
                            .setReadonlyRootfs(true)
                            .setNoNewPrivs(true)
                            .addAllMaskedPaths(MaskedPathsStep.DEFAULT_MASKED_PATHS)
                            .addAllReadonlyPaths(MaskedPathsStep.DEFAULT_READONLY_PATHS)
                            .setCapabilities(Capability.newBuilder().addDropCapabilities("ALL"))
                            .setSeccomp(SecurityProfile.newBuilder()
                                    .setProfileType(SecurityProfile.ProfileType.RuntimeDefault))))
            .build();

    private PidHolderRequest() {
    }

    /**
     * @param rootfs    an empty directory the caller owns
     * @param catatonit the host's (static) catatonit binary, mounted read-only at {@link PidHolderProcessStep#BINARY}
     */
    public static ContainerSpecRequest of(String containerId, SandboxContext sandbox, Path rootfs, Path catatonit) {
        ContainerConfig config = CONFIG.toBuilder()
                .addMounts(Mount.newBuilder().setContainerPath(PidHolderProcessStep.BINARY)
                        .setHostPath(catatonit.toString()).setReadonly(true))
                .build();
        return new ContainerSpecRequest(containerId, config, ImageDefaults.empty(), rootfs, sandbox,
                PidMode.CONTAINER, null);
    }
}
