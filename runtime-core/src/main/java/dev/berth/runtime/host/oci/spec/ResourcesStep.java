package dev.berth.runtime.host.oci.spec;

import dev.berth.proto.runtime.v1.LinuxContainerResources;
import dev.berth.runtime.host.cgroup.CgroupLayout;
import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.OciSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CPU, memory and hugepage limits and raw cgroup v2 settings. Limits the host's cgroup layout cannot apply are left
 * out rather than failing the container.
 */
public final class ResourcesStep implements SpecStep {

    private static final Logger LOG = LoggerFactory.getLogger(ResourcesStep.class);

    private final CgroupLayout layout;

    public ResourcesStep(CgroupLayout layout) {
        this.layout = layout;
    }

    @Override
    public void apply(ContainerSpecRequest request, OciSpec.Builder spec) {
        LinuxContainerResources r = request.config().getLinux().getResources();
        spec.linux().resources().cpu(cpu(r)).memory(memory(r)).hugepageLimits(hugepageLimits(r))
                .unified(unified(r));
    }

    private static OciSpec.Cpu cpu(LinuxContainerResources r) {
        if (r.getCpuShares() <= 0 && r.getCpuQuota() == 0 && r.getCpuPeriod() <= 0 && r.getCpusetCpus().isEmpty()
                && r.getCpusetMems().isEmpty()) {
            return null;
        }
        return new OciSpec.Cpu(r.getCpuShares() > 0 ? r.getCpuShares() : null,
                r.getCpuQuota() != 0 ? r.getCpuQuota() : null, r.getCpuPeriod() > 0 ? r.getCpuPeriod() : null,
                r.getCpusetCpus().isEmpty() ? null : r.getCpusetCpus(),
                r.getCpusetMems().isEmpty() ? null : r.getCpusetMems());
    }

    private static OciSpec.Memory memory(LinuxContainerResources r) {
        if (r.getMemoryLimitInBytes() <= 0 && r.getMemorySwapLimitInBytes() <= 0) {
            return null;
        }
        return new OciSpec.Memory(r.getMemoryLimitInBytes() > 0 ? r.getMemoryLimitInBytes() : null, null,
                r.getMemorySwapLimitInBytes() > 0 ? r.getMemorySwapLimitInBytes() : null, null);
    }

    private List<OciSpec.HugepageLimit> hugepageLimits(LinuxContainerResources r) {
        if (r.getHugepageLimitsCount() == 0) {
            return null;
        }
        if (!hasHugetlb()) {
            // runc fails "cannot set hugetlb limit" when the controller is not mounted (e.g. cgroup-v1
            // hybrid hosts without a hugetlb hierarchy).
            LOG.debug("event=hugepage_limits_skipped reason=no_hugetlb_hierarchy");
            return null;
        }
        List<OciSpec.HugepageLimit> limits = new ArrayList<>();
        for (var limit : r.getHugepageLimitsList()) {
            limits.add(new OciSpec.HugepageLimit(limit.getPageSize(), limit.getLimit()));
        }
        return limits;
    }

    private Map<String, String> unified(LinuxContainerResources r) {
        if (r.getUnifiedCount() == 0) {
            return null;
        }
        if (!layout.isUnified()) {
            LOG.debug("event=unified_resources_skipped reason=cgroup_v1");
            return null;
        }
        return new TreeMap<>(r.getUnifiedMap());
    }

    private boolean hasHugetlb() {
        return layout.isUnified() ? layout.unified("").map(p -> p.resolve("cgroup.controllers"))
                .map(ResourcesStep::readQuietly).orElse("").contains("hugetlb")
                : layout.v1("hugetlb", "").isPresent();
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
