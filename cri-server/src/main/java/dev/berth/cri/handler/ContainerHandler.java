package dev.berth.cri.handler;

import com.google.protobuf.ByteString;
import dev.berth.common.error.BerthException;
import dev.berth.common.error.RequestText;
import dev.berth.cri.server.VerboseInfo;
import dev.berth.proto.runtime.v1.Container;
import dev.berth.proto.runtime.v1.ContainerStats;
import dev.berth.proto.runtime.v1.ContainerStatsFilter;
import dev.berth.proto.runtime.v1.ContainerStatusRequest;
import dev.berth.proto.runtime.v1.ContainerStatusResponse;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.CreateContainerResponse;
import dev.berth.proto.runtime.v1.ExecSyncRequest;
import dev.berth.proto.runtime.v1.ExecSyncResponse;
import dev.berth.proto.runtime.v1.ListContainersRequest;
import dev.berth.proto.runtime.v1.StopContainerRequest;
import dev.berth.proto.runtime.v1.UpdateContainerResourcesRequest;
import dev.berth.runtime.container.ContainerFilter;
import dev.berth.runtime.container.ContainerManager;
import dev.berth.runtime.container.ContainerRecord;
import dev.berth.runtime.container.ExecResult;
import java.time.Duration;
import java.util.List;

/** Container lifecycle, status, list, exec, log reopen, stats and resource updates. */
public final class ContainerHandler {

    private final ContainerManager containers;

    public ContainerHandler(ContainerManager containers) {
        this.containers = containers;
    }

    public CreateContainerResponse create(CreateContainerRequest request) {
        String sandboxId = Fields.requiredId(request.getPodSandboxId(), "pod_sandbox_id");
        Fields.requirePresent(request.hasConfig(), "config");
        Fields.requirePresent(request.getConfig().hasMetadata(), "config.metadata");
        Fields.requirePresent(request.getConfig().hasImage(), "config.image");
        String id = containers.create(sandboxId, request.getConfig(), request.getSandboxConfig());
        return CreateContainerResponse.newBuilder().setContainerId(id).build();
    }

    public void start(String containerId) {
        containers.start(Fields.requiredId(containerId, "container_id"));
    }

    public void stop(StopContainerRequest request) {
        Duration timeout = Fields.timeoutSeconds(request.getTimeout(), "timeout");
        Fields.wellFormedId(request.getContainerId(), "container_id").ifPresent(id -> containers.stop(id, timeout));
    }

    public void remove(String containerId) {
        Fields.wellFormedId(containerId, "container_id").ifPresent(containers::remove);
    }

    public ContainerStatusResponse status(ContainerStatusRequest request) {
        ContainerRecord record = containers.status(Fields.requiredId(request.getContainerId(), "container_id"));
        ContainerStatusResponse.Builder response = ContainerStatusResponse.newBuilder()
                .setStatus(ContainerMessages.status(record));
        if (request.getVerbose()) {
            response.putInfo("info", VerboseInfo.json(record));
        }
        return response.build();
    }

    public List<Container> list(ListContainersRequest request) {
        ContainerFilter filter = ContainerFilter.ALL;
        if (request.hasFilter()) {
            var wanted = request.getFilter();
            filter = new ContainerFilter(wanted.getId(),
                    wanted.hasState() ? ContainerMessages.state(wanted.getState().getState()) : null,
                    wanted.getPodSandboxId(), wanted.getLabelSelectorMap());
        }
        return containers.list(filter).stream().map(ContainerMessages::container).toList();
    }

    public ExecSyncResponse execSync(ExecSyncRequest request) {
        String id = Fields.requiredId(request.getContainerId(), "container_id");
        if (request.getCmdCount() == 0) {
            throw BerthException.invalidArgument("cmd is required");
        }
        // execve takes neither an empty program name nor a NUL inside an argument; runc's error would be INTERNAL.
        if (request.getCmd(0).isEmpty()) {
            throw BerthException.invalidArgument("cmd[0] must name a program, got an empty string");
        }
        for (int i = 0; i < request.getCmdCount(); i++) {
            RequestText.withoutNul(request.getCmd(i), "cmd[" + i + "]");
        }
        // 0 means no timeout of its own; the caller's gRPC deadline still bounds the call.
        ExecResult result = containers.execSync(id, request.getCmdList(),
                Fields.timeoutSeconds(request.getTimeout(), "timeout"));
        return ExecSyncResponse.newBuilder()
                .setStdout(ByteString.copyFrom(result.stdout()))
                .setStderr(ByteString.copyFrom(result.stderr()))
                .setExitCode(result.exitCode())
                .build();
    }

    public void reopenLog(String containerId) {
        containers.reopenLog(Fields.requiredId(containerId, "container_id"));
    }

    public void updateResources(UpdateContainerResourcesRequest request) {
        String id = Fields.requiredId(request.getContainerId(), "container_id");
        Fields.requirePresent(request.hasLinux(), "linux");
        containers.updateResources(id, request.getLinux());
    }

    public ContainerStats stats(String containerId) {
        return StatsMessages.container(containers.stats(Fields.requiredId(containerId, "container_id")));
    }

    public List<ContainerStats> listStats(ContainerStatsFilter wanted) {
        ContainerFilter filter = new ContainerFilter(wanted.getId(), null, wanted.getPodSandboxId(),
                wanted.getLabelSelectorMap());
        return containers.listStats(filter).stream().map(StatsMessages::container).toList();
    }
}
