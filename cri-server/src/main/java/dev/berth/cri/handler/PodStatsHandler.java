package dev.berth.cri.handler;

import dev.berth.proto.runtime.v1.ListMetricDescriptorsResponse;
import dev.berth.proto.runtime.v1.PodSandboxMetrics;
import dev.berth.proto.runtime.v1.PodSandboxStats;
import dev.berth.proto.runtime.v1.PodSandboxStatsFilter;
import dev.berth.runtime.stats.PodStatsCollector;
import java.util.List;
import java.util.Map;

/** PodSandboxStats, ListPodSandboxStats, ListMetricDescriptors and ListPodSandboxMetrics (and their streams). */
public final class PodStatsHandler {

    private final PodStatsCollector pods;

    public PodStatsHandler(PodStatsCollector pods) {
        this.pods = pods;
    }

    /** NOT_FOUND for an unknown pod, as PodSandboxStatus. */
    public PodSandboxStats stats(String sandboxId) {
        return StatsMessages.pod(pods.stats(Fields.requiredId(sandboxId, "pod_sandbox_id")));
    }

    public List<PodSandboxStats> listStats(PodSandboxStatsFilter filter) {
        return pods.list(filter.getId(), filter.getLabelSelectorMap()).stream().map(StatsMessages::pod).toList();
    }

    public ListMetricDescriptorsResponse descriptors() {
        return ListMetricDescriptorsResponse.newBuilder().addAllDescriptors(StatsMetrics.descriptors()).build();
    }

    public List<PodSandboxMetrics> metrics() {
        return pods.list("", Map.of()).stream().map(StatsMetrics::pod).toList();
    }
}
