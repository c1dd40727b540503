package dev.berth.bench.scenario;

import dev.berth.bench.CriEndpoint;
import dev.berth.proto.runtime.v1.RemoveContainerRequest;
import dev.berth.proto.runtime.v1.RemovePodSandboxRequest;
import dev.berth.proto.runtime.v1.StopContainerRequest;
import dev.berth.proto.runtime.v1.StopPodSandboxRequest;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Best-effort removal of what an interrupted scenario left; the instance's close sweeps again after this. */
final class PodCleanup {

    private static final Logger LOG = LoggerFactory.getLogger(PodCleanup.class);

    private PodCleanup() {
    }

    static void removePod(CriEndpoint cri, String id) {
        try {
            cri.runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(id).build());
            cri.runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(id).build());
        } catch (StatusRuntimeException e) {
            LOG.warn("{}: cannot remove pod {}: {}", cri.label(), id, e.getStatus());
        }
    }

    static void removeContainer(CriEndpoint cri, String id) {
        try {
            cri.runtime().stopContainer(StopContainerRequest.newBuilder().setContainerId(id).setTimeout(0).build());
            cri.runtime().removeContainer(RemoveContainerRequest.newBuilder().setContainerId(id).build());
        } catch (StatusRuntimeException e) {
            LOG.warn("{}: cannot remove container {}: {}", cri.label(), id, e.getStatus());
        }
    }
}
