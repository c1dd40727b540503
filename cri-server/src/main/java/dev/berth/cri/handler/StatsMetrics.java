package dev.berth.cri.handler;

import dev.berth.proto.runtime.v1.ContainerMetrics;
import dev.berth.proto.runtime.v1.Metric;
import dev.berth.proto.runtime.v1.MetricDescriptor;
import dev.berth.proto.runtime.v1.MetricType;
import dev.berth.proto.runtime.v1.PodSandboxMetrics;
import dev.berth.proto.runtime.v1.UInt64Value;
import dev.berth.runtime.container.ContainerRecord;
import dev.berth.runtime.container.ContainerUsage;
import dev.berth.runtime.host.cgroup.CgroupPaths;
import dev.berth.runtime.host.cgroup.CgroupStats;
import dev.berth.runtime.sandbox.SandboxRecord;
import dev.berth.runtime.stats.InterfaceCounters;
import dev.berth.runtime.stats.PodUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * ListMetricDescriptors / ListPodSandboxMetrics: the same samples as the stats RPCs under cAdvisor's metric names and
 * labels, so a kubelet that takes its container metrics from the runtime (PodAndContainerStatsFromCRI) serves the
 * series dashboards and alerts already query.
 *
 * <p>Labels as cAdvisor names them: {@code container} (the Kubernetes container name; empty for the pod's own
 * series, as cAdvisor reports a pod cgroup), {@code id} (the cgroup path), {@code image}, {@code name} (the
 * runtime's ID), {@code namespace}, {@code pod}, plus {@code interface} for network and {@code device} for
 * filesystem series, {@code failure_type} and {@code scope} for page faults. The CRI carries values as unsigned
 * integers, so the CPU counter is in whole seconds.
 */
final class StatsMetrics {

    private static final List<String> BASE = List.of("container", "id", "image", "name", "namespace", "pod");

    private record Family(String name, String help, MetricType type, List<String> extraLabels) {

        MetricDescriptor descriptor() {
            List<String> keys = new ArrayList<>(BASE);
            keys.addAll(extraLabels);
            return MetricDescriptor.newBuilder().setName(name).setHelp(help).addAllLabelKeys(keys).build();
        }
    }

    private record CgroupFamily(Family family, ToLongFunction<CgroupStats> value) {
    }

    private static final List<CgroupFamily> CGROUP = List.of(
            new CgroupFamily(new Family("container_cpu_usage_seconds_total",
                    "Cumulative cpu time consumed in seconds.", MetricType.COUNTER, List.of()),
                    c -> c.cpuUsageNanos() / 1_000_000_000L),
            new CgroupFamily(new Family("container_memory_usage_bytes",
                    "Current memory usage in bytes, including all memory regardless of when it was accessed",
                    MetricType.GAUGE, List.of()), CgroupStats::memoryUsageBytes),
            new CgroupFamily(new Family("container_memory_working_set_bytes",
                    "Current working set in bytes.", MetricType.GAUGE, List.of()),
                    CgroupStats::memoryWorkingSetBytes),
            new CgroupFamily(new Family("container_memory_rss",
                    "Size of RSS in bytes.", MetricType.GAUGE, List.of()), CgroupStats::memoryRssBytes),
            new CgroupFamily(new Family("container_spec_memory_limit_bytes",
                    "Memory limit for the container.", MetricType.GAUGE, List.of()), CgroupStats::memoryLimitBytes),
            new CgroupFamily(new Family("container_processes",
                    "Number of processes running inside the container.", MetricType.GAUGE, List.of()),
                    CgroupStats::pids),
            new CgroupFamily(new Family("container_oom_events_total",
                    "Count of out of memory events observed for the container", MetricType.COUNTER, List.of()),
                    CgroupStats::oomKills));

    private static final Family FAILURES = new Family("container_memory_failures_total",
            "Cumulative count of memory allocation failures.", MetricType.COUNTER, List.of("failure_type", "scope"));
    private static final Family SWAP = new Family("container_memory_swap",
            "Container swap usage in bytes.", MetricType.GAUGE, List.of());
    private static final Family FS_READS = new Family("container_fs_reads_bytes_total",
            "Cumulative count of bytes read", MetricType.COUNTER, List.of("device"));
    private static final Family FS_WRITES = new Family("container_fs_writes_bytes_total",
            "Cumulative count of bytes written", MetricType.COUNTER, List.of("device"));
    private static final Family FS_USAGE = new Family("container_fs_usage_bytes",
            "Number of bytes that are consumed by the container on this filesystem.", MetricType.GAUGE,
            List.of("device"));
    private static final Family FS_INODES = new Family("container_fs_inodes_total",
            "Number of Inodes", MetricType.GAUGE, List.of("device"));
    private static final Family RX_BYTES = new Family("container_network_receive_bytes_total",
            "Cumulative count of bytes received", MetricType.COUNTER, List.of("interface"));
    private static final Family RX_ERRORS = new Family("container_network_receive_errors_total",
            "Cumulative count of errors encountered while receiving", MetricType.COUNTER, List.of("interface"));
    private static final Family TX_BYTES = new Family("container_network_transmit_bytes_total",
            "Cumulative count of bytes transmitted", MetricType.COUNTER, List.of("interface"));
    private static final Family TX_ERRORS = new Family("container_network_transmit_errors_total",
            "Cumulative count of errors encountered while transmitting", MetricType.COUNTER, List.of("interface"));

    private StatsMetrics() {
    }

    static List<MetricDescriptor> descriptors() {
        List<MetricDescriptor> descriptors = new ArrayList<>();
        CGROUP.forEach(f -> descriptors.add(f.family().descriptor()));
        for (Family family : List.of(FAILURES, SWAP, FS_READS, FS_WRITES, FS_USAGE, FS_INODES, RX_BYTES, RX_ERRORS, TX_BYTES,
                TX_ERRORS)) {
            descriptors.add(family.descriptor());
        }
        return descriptors;
    }

    static PodSandboxMetrics pod(PodUsage usage) {
        SandboxRecord sandbox = usage.sandbox();
        List<String> labels = List.of("", usage.cgroupPath().isEmpty() ? "" : "/" + usage.cgroupPath(), "",
                sandbox.id(), sandbox.metadata().namespace(), sandbox.metadata().name());
        PodSandboxMetrics.Builder pod = PodSandboxMetrics.newBuilder().setPodSandboxId(sandbox.id());
        usage.cgroup().ifPresent(cgroup -> pod.addAllMetrics(cgroupMetrics(cgroup, labels)));
        usage.network().ifPresent(network -> {
            List<InterfaceCounters> interfaces = new ArrayList<>();
            network.defaultInterface().ifPresent(interfaces::add);
            interfaces.addAll(network.otherInterfaces());
            for (InterfaceCounters counters : interfaces) {
                List<String> withInterface = with(labels, counters.name());
                pod.addMetrics(metric(RX_BYTES, network.timestamp(), withInterface, counters.rxBytes()))
                        .addMetrics(metric(RX_ERRORS, network.timestamp(), withInterface, counters.rxErrors()))
                        .addMetrics(metric(TX_BYTES, network.timestamp(), withInterface, counters.txBytes()))
                        .addMetrics(metric(TX_ERRORS, network.timestamp(), withInterface, counters.txErrors()));
            }
        });
        usage.containers().forEach(container -> pod.addContainerMetrics(container(container, sandbox)));
        return pod.build();
    }

    private static ContainerMetrics container(ContainerUsage usage, SandboxRecord sandbox) {
        ContainerRecord record = usage.container();
        String image = record.image().userSpecifiedImage().isEmpty() ? record.image().image()
                : record.image().userSpecifiedImage();
        String cgroup = record.cgroupsPath().isEmpty() ? "" : "/" + CgroupPaths.relative(record.cgroupsPath());
        List<String> labels = List.of(record.name(), cgroup, image, record.id(), sandbox.metadata().namespace(),
                sandbox.metadata().name());
        ContainerMetrics.Builder metrics = ContainerMetrics.newBuilder().setContainerId(record.id());
        usage.cgroup().ifPresent(stats -> metrics.addAllMetrics(cgroupMetrics(stats, labels)));
        List<String> layer = with(labels, usage.writableLayer().mountpoint().toString());
        metrics.addMetrics(metric(FS_USAGE, usage.timestamp(), layer, usage.writableLayer().usedBytes()))
                .addMetrics(metric(FS_INODES, usage.timestamp(), layer, usage.writableLayer().inodesUsed()));
        return metrics.build();
    }

    private static List<Metric> cgroupMetrics(CgroupStats cgroup, List<String> labels) {
        long at = cgroup.timestampNanos();
        List<Metric> metrics = new ArrayList<>();
        CGROUP.forEach(f -> metrics.add(metric(f.family(), at, labels, f.value().applyAsLong(cgroup))));
        // The cgroup's page-fault counters include its children's (total_* in v1, memory.stat in v2).
        metrics.add(metric(FAILURES, at, with(with(labels, "pgfault"), "hierarchy"), cgroup.pageFaults()));
        metrics.add(metric(FAILURES, at, with(with(labels, "pgmajfault"), "hierarchy"), cgroup.majorPageFaults()));
        cgroup.swap().ifPresent(swap -> metrics.add(metric(SWAP, at, labels, swap.usageBytes())));
        cgroup.io().ifPresent(io -> io.devices().forEach((device, bytes) -> {
            metrics.add(metric(FS_READS, at, with(labels, device), bytes.readBytes()));
            metrics.add(metric(FS_WRITES, at, with(labels, device), bytes.writeBytes()));
        }));
        return metrics;
    }

    private static List<String> with(List<String> labels, String extra) {
        List<String> all = new ArrayList<>(labels);
        all.add(extra);
        return all;
    }

    private static Metric metric(Family family, long timestamp, List<String> labelValues, long value) {
        return Metric.newBuilder().setName(family.name()).setTimestamp(timestamp).setMetricType(family.type())
                .addAllLabelValues(labelValues).setValue(UInt64Value.newBuilder().setValue(value)).build();
    }
}
