package dev.berth.runtime.stats;

import dev.berth.common.time.EpochNanos;
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
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

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
        return sample(sandboxes.get(idOrPrefix), parentsInUse());
    }

    /** Ready sandboxes matching the ID prefix and label selector (a stopped pod has no usage to report). */
    public List<PodUsage> list(String idPrefix, Map<String, String> labelSelector) {
        SandboxFilter filter = new SandboxFilter(idPrefix, SandboxState.READY, labelSelector);
        NavigableMap<String, Integer> parents = parentsInUse();
        return sandboxes.visible(filter.idPrefix()).stream().filter(filter::matches)
                .sorted(Comparator.comparingLong(SandboxRecord::createdAt))
                .map(sandbox -> sample(sandbox, parents)).toList();
    }

    private PodUsage sample(SandboxRecord sandbox, NavigableMap<String, Integer> parents) {
        List<ContainerUsage> members = containers.ofSandbox(sandbox.id());
        String cgroupPath = ownCgroupParent(sandbox, parents) ? CgroupPaths.parentRelative(sandbox.cgroupParent())
                : "";
        Optional<CgroupStats> cgroup = cgroupPath.isEmpty()
                ? CgroupStatsSum.of(members.stream().flatMap(c -> c.cgroup().stream()).toList())
                : cgroups.readParent(sandbox.cgroupParent());
        OptionalLong nanoCores = cgroup
                .map(c -> cpuRates.sample(sandbox.id(), c.timestampNanos(), c.cpuUsageNanos()))
                .orElse(OptionalLong.empty());
        return new PodUsage(sandbox, EpochNanos.now(clock), cgroupPath, cgroup, nanoCores,
                networkOf(sandbox, members), members);
    }

    /** How many sandboxes name each cgroup parent (as paths relative to a hierarchy's root). */
    private NavigableMap<String, Integer> parentsInUse() {
        NavigableMap<String, Integer> parents = new TreeMap<>();
        sandboxes.all().stream().filter(sandbox -> !sandbox.cgroupParent().isEmpty())
                .forEach(sandbox -> parents.merge(CgroupPaths.parentRelative(sandbox.cgroupParent()), 1,
                        Integer::sum));
        return parents;
    }

    /** The parent is the pod's own when no other pod's parent is the same cgroup or lies below it. */
    private static boolean ownCgroupParent(SandboxRecord sandbox, NavigableMap<String, Integer> parents) {
        if (sandbox.cgroupParent().isEmpty()) {
            return false;
        }
        String parent = CgroupPaths.parentRelative(sandbox.cgroupParent());
        // Paths below "p" sort between "p/" and "p0" ('0' follows '/').
        return parents.getOrDefault(parent, 0) == 1 && parents.subMap(parent + "/", true, parent + "0", false)
                .isEmpty();
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
