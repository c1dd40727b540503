package dev.berth.runtime.container;

import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerResources;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.runtime.sandbox.PodContainers;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * The container operations cri-server calls, each delegated to its own class. Status and List are served from
 * memory; Stop and Remove are idempotent and accept missing IDs. Also what stopping and removing a pod needs.
 */
public final class ContainerManager implements PodContainers {

    private final ContainerRegistry registry;
    private final ContainerCreator creator;
    private final ContainerStarter starter;
    private final ContainerStopper stopper;
    private final ContainerRemover remover;
    private final ContainerExecutor executor;
    private final LogReopener logs;
    private final ContainerStatsCollector stats;
    private final ResourceUpdater updater;
    private final ContainerAttacher attacher;

    public ContainerManager(ContainerRegistry registry, ContainerCreator creator, ContainerStarter starter,
            ContainerStopper stopper, ContainerRemover remover, ContainerExecutor executor, LogReopener logs,
            ContainerStatsCollector stats, ResourceUpdater updater, ContainerAttacher attacher) {
        this.registry = registry;
        this.creator = creator;
        this.starter = starter;
        this.stopper = stopper;
        this.remover = remover;
        this.executor = executor;
        this.logs = logs;
        this.stats = stats;
        this.updater = updater;
        this.attacher = attacher;
    }

    /** CreateContainer; {@code sandboxConfig} may be the default instance (the pod's record has its config). */
    public String create(String sandboxIdOrPrefix, ContainerConfig config, PodSandboxConfig sandboxConfig) {
        return creator.create(sandboxIdOrPrefix, config, sandboxConfig);
    }

    public void start(String idOrPrefix) {
        starter.start(idOrPrefix);
    }

    /** StopContainer; a zero or negative timeout kills at once. */
    public void stop(String idOrPrefix, Duration timeout) {
        stopper.stop(idOrPrefix, timeout);
    }

    public void remove(String idOrPrefix) {
        remover.remove(idOrPrefix);
    }

    /** ContainerStatus: NOT_FOUND when there is no such container. */
    public ContainerRecord status(String idOrPrefix) {
        return registry.get(idOrPrefix);
    }

    /** Every container in any state, also those still being created (for metrics); no order. */
    public java.util.Collection<ContainerRecord> records() {
        return registry.all();
    }

    /** ListContainers, oldest first. */
    public List<ContainerRecord> list(ContainerFilter filter) {
        return registry.visible(filter.idPrefix()).stream().filter(filter::matches)
                .sorted(Comparator.comparingLong(ContainerRecord::createdAt)).toList();
    }

    public ExecResult execSync(String idOrPrefix, List<String> command, Duration timeout) {
        return executor.execSync(idOrPrefix, command, timeout);
    }

    public void reopenLog(String idOrPrefix) {
        logs.reopen(idOrPrefix);
    }

    public ContainerUsage stats(String idOrPrefix) {
        return stats.stats(idOrPrefix);
    }

    public List<ContainerUsage> listStats(ContainerFilter filter) {
        return stats.list(filter);
    }

    public void updateResources(String idOrPrefix, LinuxContainerResources resources) {
        updater.update(idOrPrefix, resources);
    }

    /** Where to attach to a running container [FAILED_PRECONDITION unless RUNNING]. */
    public AttachTarget attach(String idOrPrefix) {
        return attacher.attach(idOrPrefix);
    }

    /** Resizes a running container's terminal. */
    public void resize(String idOrPrefix, int rows, int cols) {
        attacher.resize(idOrPrefix, rows, cols);
    }

    @Override
    public void stopAll(String sandboxId, Duration timeout) {
        stopper.stopAll(registry.ofSandbox(sandboxId), timeout);
    }

    @Override
    public void removeAll(String sandboxId) {
        for (ContainerRecord container : registry.ofSandbox(sandboxId)) {
            remover.removeRecord(container);
        }
    }
}
