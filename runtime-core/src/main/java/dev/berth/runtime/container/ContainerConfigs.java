package dev.berth.runtime.container;

import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.HugepageLimit;
import dev.berth.proto.runtime.v1.LinuxContainerResources;
import dev.berth.proto.runtime.v1.Mount;
import dev.berth.proto.runtime.v1.MountPropagation;
import dev.berth.proto.runtime.v1.Signal;
import dev.berth.runtime.sandbox.SandboxConfigs;
import dev.berth.runtime.spi.ImageConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Maps the CRI container config to berth's container record values. */
public final class ContainerConfigs {

    private ContainerConfigs() {
    }

    public static ImageName image(ContainerConfig config) {
        return new ImageName(config.getImage().getImage(), config.getImage().getUserSpecifiedImage(),
                config.getImage().getAnnotationsMap(), config.getImage().getRuntimeHandler());
    }

    public static List<MountSpec> mounts(List<Mount> mounts) {
        return mounts.stream().map(m -> new MountSpec(m.getContainerPath(), m.getHostPath(), m.getReadonly(),
                m.getSelinuxRelabel(), propagation(m.getPropagation()), m.getRecursiveReadOnly(),
                m.getImage().getImage(), m.getImageSubPath())).toList();
    }

    private static String propagation(MountPropagation propagation) {
        switch (propagation) {
            case PROPAGATION_HOST_TO_CONTAINER: return "HOST_TO_CONTAINER";
            case PROPAGATION_BIDIRECTIONAL: return "BIDIRECTIONAL";
            default: return "PRIVATE";
        }
    }

    public static ResourceLimits resources(LinuxContainerResources r) {
        Map<String, Long> hugepages = new LinkedHashMap<>();
        for (HugepageLimit limit : r.getHugepageLimitsList()) {
            hugepages.put(limit.getPageSize(), limit.getLimit());
        }
        return new ResourceLimits(r.getCpuPeriod(), r.getCpuQuota(), r.getCpuShares(), r.getMemoryLimitInBytes(),
                r.getOomScoreAdj(), r.getCpusetCpus(), r.getCpusetMems(), hugepages, r.getUnifiedMap(),
                r.getMemorySwapLimitInBytes());
    }

    /** The CRI form of berth's resource record (UpdateContainerResources and status). */
    public static LinuxContainerResources toProto(ResourceLimits r) {
        LinuxContainerResources.Builder builder = LinuxContainerResources.newBuilder()
                .setCpuPeriod(r.cpuPeriod()).setCpuQuota(r.cpuQuota()).setCpuShares(r.cpuShares())
                .setMemoryLimitInBytes(r.memoryLimitInBytes()).setOomScoreAdj(r.oomScoreAdj())
                .setCpusetCpus(r.cpusetCpus()).setCpusetMems(r.cpusetMems()).putAllUnified(r.unified())
                .setMemorySwapLimitInBytes(r.memorySwapLimitInBytes());
        r.hugepageLimits().forEach((size, limit) -> builder.addHugepageLimits(HugepageLimit.newBuilder()
                .setPageSize(size).setLimit(limit)));
        return builder.build();
    }

    /**
     * The signal Stop sends first: the config's, else the image's, else SIGTERM. INVALID_ARGUMENT for a name Linux
     * does not know.
     */
    public static String stopSignal(ContainerConfig config, ImageConfig image) {
        if (config.getStopSignal() != Signal.RUNTIME_DEFAULT && config.getStopSignal() != Signal.UNRECOGNIZED) {
            return Signals.canonical(config.getStopSignal().name());
        }
        if (!image.stopSignal().isEmpty()) {
            return Signals.canonical(image.stopSignal());
        }
        return "SIGTERM";
    }

    /** A digest of the request, to tell a retry of CreateContainer from a different request. */
    public static String fingerprint(String sandboxId, ContainerConfig config) {
        return SandboxConfigs.fingerprint(config,
                CreateContainerRequest.newBuilder().setPodSandboxId(sandboxId).build());
    }
}
