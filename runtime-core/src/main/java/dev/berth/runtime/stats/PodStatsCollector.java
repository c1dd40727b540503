package dev.berth.runtime.stats;

import dev.berth.runtime.container.ContainerState;
import dev.berth.runtime.container.ContainerStatsCollector;
import dev.berth.runtime.container.ContainerUsage;
import dev.berth.runtime.host.cgroup.CgroupPaths;
import dev.berth.runtime.host.cgroup.CgroupStats;
import dev.berth.runtime.host.cgroup.CgroupStatsReader;
import dev.berth.runtime.host.ns.PinnedNamespaces;
import dev.berth.runtime.sandbox.SandboxContexts;
import dev.berth.runtime.sandbox.SandboxFilter;
import dev.berth.runtime.sandbox.SandboxRecord;
import dev.berth.runtime.sandbox.SandboxRegistry;
import dev.berth.runtime.sandbox.SandboxState;
import dev.berth.runtime.store.EpochNanos;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * PodSandboxStats / ListPodSandboxStats: the pod cgroup's CPU (with a rate from the previous sample), memory and
 * process count, the pod network's interface counters, and each of its containers' stats.
 *
 * <p>The pod cgroup is the sandbox's cgroup parent when the pod has one of its own, as the kubelet gives every pod
 * ({@code /kubepods/<qos>/pod<uid>} or its slice): it also counts the pod's PID holder and processes containers
 * left behind. A pod without a parent, or whose parent holds other pods too, is measured as the sum of its containers'
 * cgroups instead, so it never reports its neighbours' usage.
 */
public final class PodStatsCollector {

    private final SandboxRegistry sandboxes;
    private final ContainerStatsCollector containers;
    private final SandboxContexts contexts;
    private final CgroupStatsReader cgroups;
    private final PodNetworkReader network;
    private final Clock clock;
    private final CpuRateTracker cpuRates = new CpuRateTracker();

    public PodStatsCollector(SandboxRegistry sandboxes, ContainerStatsCollector containers,
                             SandboxContexts contexts, CgroupStatsReader cgroups, PodNetworkReader network,
                             Clock clock) {
        this.sandboxes = sandboxes;
        this.containers = containers;
        this.contexts = contexts;
        this.cgroups = cgroups;
        this.network = network;
        this.clock = clock;
    }

    /** NOT_FOUND when there is no such sandbox; a sandbox that is not ready gets what is still known. */
    public PodUsage stats(String idOrPrefix) {
        return sample(sandboxes.get(idOrPrefix));
    }

    /** Ready sandboxes matching the ID prefix and label selector (a stopped pod has no usage to report). */
    public List<PodUsage> list(String idPrefix, Map<String, String> labelSelector) {
        SandboxFilter filter = new SandboxFilter(idPrefix, SandboxState.READY, labelSelector);
        return sandboxes.visible(filter.idPrefix()).stream().filter(filter::matches)
                .sorted(Comparator.comparingLong(SandboxRecord::createdAt)).map(this::sample).toList();
    }

    private PodUsage sample(SandboxRecord sandbox) {
        List<ContainerUsage> members = containers.ofSandbox(sandbox.id());
        String cgroupPath = ownCgroupParent(sandbox) ? CgroupPaths.parentRelative(sandbox.cgroupParent()) : "";
        Optional<CgroupStats> cgroup = cgroupPath.isEmpty()
                ? CgroupStatsSum.of(members.stream().flatMap(c -> c.cgroup().stream()).toList())
                : cgroups.readParent(sandbox.cgroupParent());
        OptionalLong nanoCores = cgroup
                .map(c -> cpuRates.sample(sandbox.id(), c.timestampNanos(), c.cpuUsageNanos()))
                .orElse(OptionalLong.empty());
        return new PodUsage(sandbox, EpochNanos.now(clock), cgroupPath, cgroup, nanoCores,
                networkOf(sandbox, members), members);
    }

    /** The parent is the pod's own when no other pod's parent is the same cgroup or lies below it. */
    private boolean ownCgroupParent(SandboxRecord sandbox) {
        if (sandbox.cgroupParent().isEmpty()) {
            return false;
        }
        String parent = CgroupPaths.parentRelative(sandbox.cgroupParent());
        return sandboxes.all().stream()
                .filter(other -> !other.id().equals(sandbox.id()) && !other.cgroupParent().isEmpty())
                .map(other -> CgroupPaths.parentRelative(other.cgroupParent()))
                .noneMatch(other -> other.equals(parent) || other.startsWith(parent + "/"));
    }

    private Optional<PodNetworkUsage> networkOf(SandboxRecord sandbox, List<ContainerUsage> members) {
        if (!sandbox.isReady()) {
            return Optional.empty();
        }
        PinnedNamespaces pins = contexts.namespaces(sandbox.id(), sandbox.namespaces());
        if (pins.net() == null) {
            return Optional.empty();
        }
        List<Integer> pids = new ArrayList<>();
        pids.add(sandbox.pidHolderPid());
        members.stream().map(ContainerUsage::container)
                .filter(c -> c.state() == ContainerState.RUNNING)
                .forEach(c -> pids.add(c.pid()));
        return network.read(pins.net(), pids).map(counters -> PodNetworkUsage.of(EpochNanos.now(clock), counters));
    }
}
