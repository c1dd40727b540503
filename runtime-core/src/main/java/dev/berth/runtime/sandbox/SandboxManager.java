package dev.berth.runtime.sandbox;

import dev.berth.proto.runtime.v1.LinuxContainerResources;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * The pod-sandbox operations cri-server calls, each delegated to its own class. Status and List are served from
 * memory; Stop and Remove are idempotent and accept missing IDs.
 */
public final class SandboxManager {

    private final SandboxRegistry registry;
    private final SandboxRunner runner;
    private final SandboxStopper stopper;
    private final SandboxRemover remover;
    private final PodResourceUpdater resources;

    public SandboxManager(SandboxRegistry registry, SandboxRunner runner, SandboxStopper stopper,
            SandboxRemover remover, PodResourceUpdater resources) {
        this.registry = registry;
        this.runner = runner;
        this.stopper = stopper;
        this.remover = remover;
        this.resources = resources;
    }

    /** RunPodSandbox: returns the new sandbox's ID once it is READY. */
    public String run(PodSandboxConfig config, String runtimeHandler) {
        return runner.run(config, runtimeHandler);
    }

    /** StopPodSandbox, with the configured grace period for the pod's containers. */
    public void stop(String idOrPrefix) {
        stopper.stop(idOrPrefix);
    }

    public void stop(String idOrPrefix, Duration containerTimeout) {
        stopper.stop(idOrPrefix, containerTimeout);
    }

    public void remove(String idOrPrefix) {
        remover.remove(idOrPrefix);
    }

    /** UpdatePodSandboxResources: NOT_FOUND when there is no such sandbox. */
    public void updateResources(String idOrPrefix, LinuxContainerResources overhead,
            LinuxContainerResources resources) {
        this.resources.update(idOrPrefix, overhead, resources);
    }

    /** PodSandboxStatus: NOT_FOUND when there is no such sandbox. */
    public SandboxRecord status(String idOrPrefix) {
        return registry.get(idOrPrefix);
    }

    /** Every sandbox in any state, also those still being created (for metrics); no order. */
    public java.util.Collection<SandboxRecord> records() {
        return registry.all();
    }

    /** ListPodSandbox, oldest first. */
    public List<SandboxRecord> list(SandboxFilter filter) {
        return registry.visible(filter.idPrefix()).stream().filter(filter::matches)
                .sorted(Comparator.comparingLong(SandboxRecord::createdAt)).toList();
    }
}
