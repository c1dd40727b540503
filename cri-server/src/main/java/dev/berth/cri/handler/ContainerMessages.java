package dev.berth.cri.handler;

import dev.berth.proto.runtime.v1.Container;
import dev.berth.proto.runtime.v1.ContainerMetadata;
import dev.berth.proto.runtime.v1.ContainerResources;
import dev.berth.proto.runtime.v1.ContainerState;
import dev.berth.proto.runtime.v1.ContainerStatus;
import dev.berth.proto.runtime.v1.ContainerUser;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.LinuxContainerResources;
import dev.berth.proto.runtime.v1.LinuxContainerUser;
import dev.berth.proto.runtime.v1.Mount;
import dev.berth.proto.runtime.v1.MountPropagation;
import dev.berth.proto.runtime.v1.Signal;
import dev.berth.runtime.container.ContainerRecord;
import dev.berth.runtime.container.ImageName;
import dev.berth.runtime.container.MountSpec;
import dev.berth.runtime.container.ResourceLimits;

/** Container records and usage as CRI messages. */
final class ContainerMessages {

    private ContainerMessages() {
    }

    static Container container(ContainerRecord record) {
        return Container.newBuilder()
                .setId(record.id())
                .setPodSandboxId(record.sandboxId())
                .setMetadata(metadata(record))
                .setImage(image(record.image()))
                .setImageRef(record.imageRef())
                .setImageId(record.imageId())
                .setState(state(record.state()))
                .setCreatedAt(record.createdAt())
                .putAllLabels(record.labels())
                .putAllAnnotations(record.annotations())
                .build();
    }

    static ContainerStatus status(ContainerRecord record) {
        ContainerStatus.Builder status = ContainerStatus.newBuilder()
                .setId(record.id())
                .setMetadata(metadata(record))
                .setState(state(record.state()))
                .setCreatedAt(record.createdAt())
                .setStartedAt(record.startedAt())
                .setFinishedAt(record.finishedAt())
                .setExitCode(record.exitCode())
                .setImage(image(record.image()))
                .setImageRef(record.imageRef())
                .setImageId(record.imageId())
                .setReason(record.reason())
                .setMessage(record.message())
                .putAllLabels(record.labels())
                .putAllAnnotations(record.annotations())
                .setLogPath(record.logPath())
                .setResources(ContainerResources.newBuilder().setLinux(resources(record.resources())))
                .setUser(ContainerUser.newBuilder().setLinux(LinuxContainerUser.newBuilder()
                        .setUid(record.user().uid())
                        .setGid(record.user().gid())
                        // Sorted, as the kernel keeps a process's groups.
                        .addAllSupplementalGroups(record.user().supplementalGroups().stream().sorted().toList())))
                .setStopSignal(signal(record.stopSignal()));
        record.mounts().forEach(mount -> status.addMounts(mount(mount)));
        return status.build();
    }

    static ContainerMetadata metadata(ContainerRecord record) {
        return ContainerMetadata.newBuilder().setName(record.name()).setAttempt(record.attempt()).build();
    }

    static ContainerState state(dev.berth.runtime.container.ContainerState state) {
        return switch (state) {
            // A container still being created is not yet visible as CREATED to the kubelet's state machine.
            case CREATING, UNKNOWN -> ContainerState.CONTAINER_UNKNOWN;
            case CREATED -> ContainerState.CONTAINER_CREATED;
            case RUNNING -> ContainerState.CONTAINER_RUNNING;
            case EXITED -> ContainerState.CONTAINER_EXITED;
        };
    }

    static dev.berth.runtime.container.ContainerState state(ContainerState state) {
        return switch (state) {
            case CONTAINER_CREATED -> dev.berth.runtime.container.ContainerState.CREATED;
            case CONTAINER_RUNNING -> dev.berth.runtime.container.ContainerState.RUNNING;
            case CONTAINER_EXITED -> dev.berth.runtime.container.ContainerState.EXITED;
            case CONTAINER_UNKNOWN, UNRECOGNIZED -> dev.berth.runtime.container.ContainerState.UNKNOWN;
        };
    }

    private static ImageSpec image(ImageName image) {
        return ImageSpec.newBuilder()
                .setImage(image.image())
                .setUserSpecifiedImage(image.userSpecifiedImage())
                .putAllAnnotations(image.annotations())
                .setRuntimeHandler(image.runtimeHandler())
                .build();
    }

    private static Mount mount(MountSpec mount) {
        MountPropagation propagation = switch (mount.propagation()) {
            case "HOST_TO_CONTAINER", "PROPAGATION_HOST_TO_CONTAINER", "RSLAVE" ->
                    MountPropagation.PROPAGATION_HOST_TO_CONTAINER;
            case "BIDIRECTIONAL", "PROPAGATION_BIDIRECTIONAL", "RSHARED" -> MountPropagation.PROPAGATION_BIDIRECTIONAL;
            default -> MountPropagation.PROPAGATION_PRIVATE;
        };
        Mount.Builder status = Mount.newBuilder()
                .setContainerPath(mount.containerPath())
                .setHostPath(mount.hostPath())
                .setReadonly(mount.readonly())
                .setSelinuxRelabel(mount.selinuxRelabel())
                .setPropagation(propagation)
                .setRecursiveReadOnly(mount.recursiveReadOnly());
        if (mount.isImageVolume()) {
            status.setImage(ImageSpec.newBuilder().setImage(mount.image())).setImageSubPath(mount.imageSubPath());
        }
        return status.build();
    }

    private static LinuxContainerResources resources(ResourceLimits limits) {
        return LinuxContainerResources.newBuilder()
                .setCpuPeriod(limits.cpuPeriod())
                .setCpuQuota(limits.cpuQuota())
                .setCpuShares(limits.cpuShares())
                .setMemoryLimitInBytes(limits.memoryLimitInBytes())
                .setOomScoreAdj(limits.oomScoreAdj())
                .setCpusetCpus(limits.cpusetCpus())
                .setCpusetMems(limits.cpusetMems())
                .putAllUnified(limits.unified())
                .setMemorySwapLimitInBytes(limits.memorySwapLimitInBytes())
                .build();
    }

    private static Signal signal(String name) {
        try {
            return Signal.valueOf(name);
        } catch (IllegalArgumentException e) {
            return Signal.RUNTIME_DEFAULT;
        }
    }
}
