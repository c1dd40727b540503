package dev.berth.cri.handler;

import dev.berth.common.time.EpochNanos;
import dev.berth.cri.server.VerboseInfo;
import dev.berth.proto.runtime.v1.ListPodSandboxRequest;
import dev.berth.proto.runtime.v1.PodSandbox;
import dev.berth.proto.runtime.v1.PodSandboxFilter;
import dev.berth.proto.runtime.v1.PodSandboxStatusRequest;
import dev.berth.proto.runtime.v1.PodSandboxStatusResponse;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxResponse;
import dev.berth.proto.runtime.v1.UpdatePodSandboxResourcesRequest;
import dev.berth.runtime.container.ContainerFilter;
import dev.berth.runtime.container.ContainerManager;
import dev.berth.runtime.sandbox.SandboxFilter;
import dev.berth.runtime.sandbox.SandboxManager;
import dev.berth.runtime.sandbox.SandboxRecord;
import java.util.List;

/** RunPodSandbox, StopPodSandbox, RemovePodSandbox, PodSandboxStatus, ListPodSandbox. */
public final class SandboxHandler {

    private final SandboxManager sandboxes;
    private final ContainerManager containers;

    public SandboxHandler(SandboxManager sandboxes, ContainerManager containers) {
        this.sandboxes = sandboxes;
        this.containers = containers;
    }

    public RunPodSandboxResponse run(RunPodSandboxRequest request) {
        Fields.requirePresent(request.hasConfig(), "config");
        Fields.requirePresent(request.getConfig().hasMetadata(), "config.metadata");
        Fields.cgroupParent(request.getConfig().getLinux().getCgroupParent(), "config.linux.cgroup_parent");
        String id = sandboxes.run(request.getConfig(), request.getRuntimeHandler());
        return RunPodSandboxResponse.newBuilder().setPodSandboxId(id).build();
    }

    public void stop(String sandboxId) {
        Fields.wellFormedId(sandboxId, "pod_sandbox_id").ifPresent(sandboxes::stop);
    }

    public void remove(String sandboxId) {
        Fields.wellFormedId(sandboxId, "pod_sandbox_id").ifPresent(sandboxes::remove);
    }

    /** Unset overhead or resources mean "no change" for each of their values. */
    public void updateResources(UpdatePodSandboxResourcesRequest request) {
        sandboxes.updateResources(Fields.requiredId(request.getPodSandboxId(), "pod_sandbox_id"),
                request.getOverhead(), request.getResources());
    }

    public PodSandboxStatusResponse status(PodSandboxStatusRequest request) {
        SandboxRecord record = sandboxes.status(Fields.requiredId(request.getPodSandboxId(), "pod_sandbox_id"));
        PodSandboxStatusResponse.Builder response = PodSandboxStatusResponse.newBuilder()
                .setStatus(SandboxMessages.status(record))
                .setTimestamp(EpochNanos.now());
        // Evented PLEG reads the pod's container statuses from here.
        containers.list(new ContainerFilter("", null, record.id(), null))
                .forEach(container -> response.addContainersStatuses(ContainerMessages.status(container)));
        if (request.getVerbose()) {
            response.putInfo("info", VerboseInfo.json(record));
        }
        return response.build();
    }

    public List<PodSandbox> list(ListPodSandboxRequest request) {
        SandboxFilter filter = SandboxFilter.ALL;
        if (request.hasFilter()) {
            PodSandboxFilter wanted = request.getFilter();
            filter = new SandboxFilter(wanted.getId(),
                    wanted.hasState() ? SandboxMessages.state(wanted.getState().getState()) : null,
                    wanted.getLabelSelectorMap());
        }
        return sandboxes.list(filter).stream().map(SandboxMessages::sandbox).toList();
    }
}
