package dev.berth.cri.handler;

import dev.berth.proto.runtime.v1.ContainerAttributes;
import dev.berth.proto.runtime.v1.ContainerStats;
import dev.berth.proto.runtime.v1.CpuUsage;
import dev.berth.proto.runtime.v1.FilesystemIdentifier;
import dev.berth.proto.runtime.v1.FilesystemUsage;
import dev.berth.proto.runtime.v1.IoUsage;
import dev.berth.proto.runtime.v1.LinuxPodSandboxStats;
import dev.berth.proto.runtime.v1.MemoryUsage;
import dev.berth.proto.runtime.v1.NetworkInterfaceUsage;
import dev.berth.proto.runtime.v1.NetworkUsage;
import dev.berth.proto.runtime.v1.PodSandboxAttributes;
import dev.berth.proto.runtime.v1.PodSandboxStats;
import dev.berth.proto.runtime.v1.ProcessUsage;
import dev.berth.proto.runtime.v1.PsiData;
import dev.berth.proto.runtime.v1.PsiStats;
import dev.berth.proto.runtime.v1.SwapUsage;
import dev.berth.proto.runtime.v1.UInt64Value;
import dev.berth.runtime.container.ContainerRecord;
import dev.berth.runtime.container.ContainerUsage;
import dev.berth.runtime.host.cgroup.CgroupStats;
import dev.berth.runtime.host.cgroup.Psi;
import dev.berth.runtime.sandbox.SandboxRecord;
import dev.berth.runtime.stats.InterfaceCounters;
import dev.berth.runtime.stats.PodNetworkUsage;
import dev.berth.runtime.stats.PodUsage;
import java.util.Optional;
import java.util.OptionalLong;

/** Container and pod stats samples as CRI messages; what was not measured is left unset, never sent as 0. */
final class StatsMessages {

    private StatsMessages() {
    }

    static ContainerStats container(ContainerUsage usage) {
        ContainerRecord record = usage.container();
        ContainerStats.Builder stats = ContainerStats.newBuilder()
                .setAttributes(ContainerAttributes.newBuilder()
                        .setId(record.id())
                        .setMetadata(ContainerMessages.metadata(record))
                        .putAllLabels(record.labels())
                        .putAllAnnotations(record.annotations()))
                .setWritableLayer(FilesystemUsage.newBuilder()
                        .setTimestamp(usage.timestamp())
                        .setFsId(FilesystemIdentifier.newBuilder()
                                .setMountpoint(usage.writableLayer().mountpoint().toString()))
                        .setUsedBytes(uint(usage.writableLayer().usedBytes()))
                        .setInodesUsed(uint(usage.writableLayer().inodesUsed())));
        // A container without a cgroup (exited, or whose cgroup is gone) is listed with its writable layer only.
        usage.cgroup().ifPresent(cgroup -> {
            stats.setCpu(cpu(cgroup, usage.cpuNanoCores())).setMemory(memory(cgroup));
            cgroup.swap().ifPresent(swap -> {
                SwapUsage.Builder message = SwapUsage.newBuilder().setTimestamp(cgroup.timestampNanos())
                        .setSwapUsageBytes(uint(swap.usageBytes()));
                if (swap.limitBytes() > 0) {
                    message.setSwapAvailableBytes(uint(swap.availableBytes()));
                }
                stats.setSwap(message);
            });
            io(cgroup).ifPresent(stats::setIo);
        });
        return stats.build();
    }

    static PodSandboxStats pod(PodUsage usage) {
        SandboxRecord sandbox = usage.sandbox();
        LinuxPodSandboxStats.Builder linux = LinuxPodSandboxStats.newBuilder();
        usage.cgroup().ifPresent(cgroup -> {
            linux.setCpu(cpu(cgroup, usage.cpuNanoCores()))
                    .setMemory(memory(cgroup))
                    .setProcess(ProcessUsage.newBuilder().setTimestamp(cgroup.timestampNanos())
                            .setProcessCount(uint(cgroup.pids())));
            io(cgroup).ifPresent(linux::setIo);
        });
        usage.network().ifPresent(network -> linux.setNetwork(network(network)));
        usage.containers().forEach(container -> linux.addContainers(container(container)));
        return PodSandboxStats.newBuilder()
                .setAttributes(PodSandboxAttributes.newBuilder()
                        .setId(sandbox.id())
                        .setMetadata(SandboxMessages.metadata(sandbox.metadata()))
                        .putAllLabels(sandbox.labels())
                        .putAllAnnotations(sandbox.annotations()))
                .setLinux(linux)
                .build();
    }

    private static CpuUsage cpu(CgroupStats cgroup, OptionalLong nanoCores) {
        CpuUsage.Builder cpu = CpuUsage.newBuilder()
                .setTimestamp(cgroup.timestampNanos())
                .setUsageCoreNanoSeconds(uint(cgroup.cpuUsageNanos()));
        nanoCores.ifPresent(value -> cpu.setUsageNanoCores(uint(value)));
        cgroup.pressure().cpu().ifPresent(psi -> cpu.setPsi(psi(psi)));
        return cpu.build();
    }

    private static MemoryUsage memory(CgroupStats cgroup) {
        MemoryUsage.Builder memory = MemoryUsage.newBuilder()
                .setTimestamp(cgroup.timestampNanos())
                .setWorkingSetBytes(uint(cgroup.memoryWorkingSetBytes()))
                .setUsageBytes(uint(cgroup.memoryUsageBytes()))
                .setRssBytes(uint(cgroup.memoryRssBytes()))
                .setPageFaults(uint(cgroup.pageFaults()))
                .setMajorPageFaults(uint(cgroup.majorPageFaults()));
        if (cgroup.memoryLimitBytes() > 0) {
            memory.setAvailableBytes(uint(cgroup.memoryAvailableBytes()));
        }
        cgroup.pressure().memory().ifPresent(psi -> memory.setPsi(psi(psi)));
        return memory.build();
    }

    /** The CRI's IoUsage carries pressure only; block-device bytes go to the metrics. */
    private static Optional<IoUsage> io(CgroupStats cgroup) {
        return cgroup.pressure().io().map(psi -> IoUsage.newBuilder().setTimestamp(cgroup.timestampNanos())
                .setPsi(psi(psi)).build());
    }

    private static NetworkUsage network(PodNetworkUsage network) {
        NetworkUsage.Builder message = NetworkUsage.newBuilder().setTimestamp(network.timestamp());
        network.defaultInterface().ifPresent(primary -> message.setDefaultInterface(networkInterface(primary)));
        network.otherInterfaces().forEach(other -> message.addInterfaces(networkInterface(other)));
        return message.build();
    }

    private static NetworkInterfaceUsage networkInterface(InterfaceCounters counters) {
        return NetworkInterfaceUsage.newBuilder()
                .setName(counters.name())
                .setRxBytes(uint(counters.rxBytes()))
                .setRxErrors(uint(counters.rxErrors()))
                .setTxBytes(uint(counters.txBytes()))
                .setTxErrors(uint(counters.txErrors()))
                .build();
    }

    private static PsiStats psi(Psi psi) {
        PsiStats.Builder message = PsiStats.newBuilder();
        psi.some().ifPresent(line -> message.setSome(psiData(line)));
        psi.full().ifPresent(line -> message.setFull(psiData(line)));
        return message.build();
    }

    private static PsiData psiData(Psi.Line line) {
        return PsiData.newBuilder().setTotal(line.totalNanos()).setAvg10(line.avg10()).setAvg60(line.avg60())
                .setAvg300(line.avg300()).build();
    }

    private static UInt64Value uint(long value) {
        return UInt64Value.newBuilder().setValue(value).build();
    }
}
