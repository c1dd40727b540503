package dev.berth.runtime.container;

import dev.berth.common.error.BerthException;
import dev.berth.runtime.host.cgroup.CgroupCleaner;
import dev.berth.runtime.host.cgroup.CgroupStatsReader;
import dev.berth.runtime.host.monitor.ExitWatcher;
import dev.berth.runtime.host.mounts.ReadOnlyStaging;
import dev.berth.runtime.host.oci.ContainerSpecBuilder;
import dev.berth.runtime.sandbox.OciHandlers;
import dev.berth.runtime.sandbox.SandboxContexts;
import dev.berth.runtime.spi.RootfsProvider;
import dev.berth.runtime.store.StateLayout;
import java.nio.file.Path;

/**
 * The host-side tools a container's lifecycle uses, grouped so that each step class takes one argument for them.
 *
 * @param resourceLimits checks requested resources against what the kernel accepts
 * @param logSizeMax bytes after which conmon truncates a container log; 0 = unlimited
 */
public record ContainerHost(
        StateLayout layout,
        OciHandlers handlers,
        ContainerSpecBuilder specs,
        ExitWatcher exits,
        CgroupCleaner cgroups,
        CgroupStatsReader stats,
        RootfsProvider rootfs,
        SandboxContexts contexts,
        ResourceValidator resourceLimits,
        long logSizeMax,
        ReadOnlyStaging readOnlyStaging) {

    /** The container's bundle, which is also conmon's persist directory. */
    public Path bundle(String containerId) {
        return layout.containerBundle(containerId);
    }

    /** The handler a container was created with; FAILED_PRECONDITION if it is no longer configured. */
    public OciHandlers.Handler handler(ContainerRecord record) {
        return handlers.find(record.runtimeHandler()).orElseThrow(() ->
                BerthException.failedPrecondition("runtime handler "
                        + record.runtimeHandler() + " of container " + record.id() + " is not configured"));
    }
}
