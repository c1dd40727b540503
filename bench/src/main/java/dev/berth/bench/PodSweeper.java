package dev.berth.bench;

import dev.berth.proto.runtime.v1.ListPodSandboxRequest;
import dev.berth.proto.runtime.v1.PodSandbox;
import dev.berth.proto.runtime.v1.RemovePodSandboxRequest;
import dev.berth.proto.runtime.v1.StopPodSandboxRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Before a bench daemon stops: stops and removes every pod sandbox it holds, through CRI, so the runtime itself
 * undoes its netns, CNI attachment, mounts and processes. The daemon is private to the bench: all its pods are ours.
 */
final class PodSweeper {

    private PodSweeper() {
    }

    static List<String> removeAllPods(CriEndpoint endpoint) {
        List<String> notes = new ArrayList<>();
        List<PodSandbox> pods;
        try {
            pods = endpoint.runtime(Duration.ofSeconds(30))
                    .listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsList();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
                notes.add(endpoint.label() + ": cannot list pods before shutdown: " + e.getStatus());
            }
            return notes;
        }
        for (PodSandbox pod : pods) {
            try {
                endpoint.runtime(Duration.ofSeconds(60))
                        .stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(pod.getId()).build());
                endpoint.runtime(Duration.ofSeconds(60))
                        .removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(pod.getId()).build());
                notes.add(endpoint.label() + ": removed leftover pod " + pod.getMetadata().getName());
            } catch (StatusRuntimeException e) {
                notes.add(endpoint.label() + ": cannot remove pod " + pod.getId() + ": " + e.getStatus());
            }
        }
        return notes;
    }
}
