package dev.berth.runtime.host.oci.spec;

import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.OciSpec;
import java.util.List;

/**
 * The /proc and /sys paths hidden from the container or made read-only: the request's lists exactly as sent (an
 * empty list means none); none for a privileged container. The kubelet sends the lists itself (the defaults below
 * for the Default procMount, none for Unmasked); containerd 1.6.20 on these machines also masks nothing when the
 * lists are empty (compared in docs/oci-spec.md). The defaults are for berth's own PID holder.
 */
public final class MaskedPathsStep implements SpecStep {

    public static final List<String> DEFAULT_MASKED_PATHS = List.of("/proc/acpi", "/proc/asound", "/proc/kcore",
            "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
            "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap");
    public static final List<String> DEFAULT_READONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq",
            "/proc/sys", "/proc/sysrq-trigger");

    @Override
    public void apply(ContainerSpecRequest request, OciSpec.Builder spec) {
        LinuxContainerSecurityContext security = request.security();
        if (request.privileged()) {
            spec.linux().maskedPaths(List.of()).readonlyPaths(List.of());
            return;
        }
        spec.linux().maskedPaths(security.getMaskedPathsList()).readonlyPaths(security.getReadonlyPathsList());
    }
}
