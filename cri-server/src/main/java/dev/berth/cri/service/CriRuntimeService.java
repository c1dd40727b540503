package dev.berth.cri.service;

import dev.berth.cri.handler.ContainerEventStream;
import dev.berth.cri.handler.ContainerHandler;
import dev.berth.cri.handler.PodStatsHandler;
import dev.berth.cri.handler.RuntimeInfoHandler;
import dev.berth.cri.handler.SandboxHandler;
import dev.berth.cri.streaming.StreamingRequests;
import dev.berth.proto.runtime.v1.AttachRequest;
import dev.berth.proto.runtime.v1.AttachResponse;
import dev.berth.proto.runtime.v1.ContainerEventResponse;
import dev.berth.proto.runtime.v1.ContainerStatsRequest;
import dev.berth.proto.runtime.v1.ContainerStatsResponse;
import dev.berth.proto.runtime.v1.ContainerStatusRequest;
import dev.berth.proto.runtime.v1.ContainerStatusResponse;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.CreateContainerResponse;
import dev.berth.proto.runtime.v1.ExecRequest;
import dev.berth.proto.runtime.v1.ExecResponse;
import dev.berth.proto.runtime.v1.ExecSyncRequest;
import dev.berth.proto.runtime.v1.ExecSyncResponse;
import dev.berth.proto.runtime.v1.GetEventsRequest;
import dev.berth.proto.runtime.v1.ListContainerStatsRequest;
import dev.berth.proto.runtime.v1.ListContainerStatsResponse;
import dev.berth.proto.runtime.v1.ListContainersRequest;
import dev.berth.proto.runtime.v1.ListContainersResponse;
import dev.berth.proto.runtime.v1.ListMetricDescriptorsRequest;
import dev.berth.proto.runtime.v1.ListMetricDescriptorsResponse;
import dev.berth.proto.runtime.v1.ListPodSandboxMetricsRequest;
import dev.berth.proto.runtime.v1.ListPodSandboxMetricsResponse;
import dev.berth.proto.runtime.v1.ListPodSandboxRequest;
import dev.berth.proto.runtime.v1.ListPodSandboxResponse;
import dev.berth.proto.runtime.v1.ListPodSandboxStatsRequest;
import dev.berth.proto.runtime.v1.ListPodSandboxStatsResponse;
import dev.berth.proto.runtime.v1.PodSandboxStatsRequest;
import dev.berth.proto.runtime.v1.PodSandboxStatsResponse;
import dev.berth.proto.runtime.v1.PodSandboxStatusRequest;
import dev.berth.proto.runtime.v1.PodSandboxStatusResponse;
import dev.berth.proto.runtime.v1.PortForwardRequest;
import dev.berth.proto.runtime.v1.PortForwardResponse;
import dev.berth.proto.runtime.v1.RemoveContainerRequest;
import dev.berth.proto.runtime.v1.RemoveContainerResponse;
import dev.berth.proto.runtime.v1.RemovePodSandboxRequest;
import dev.berth.proto.runtime.v1.RemovePodSandboxResponse;
import dev.berth.proto.runtime.v1.ReopenContainerLogRequest;
import dev.berth.proto.runtime.v1.ReopenContainerLogResponse;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxResponse;
import dev.berth.proto.runtime.v1.RuntimeConfigRequest;
import dev.berth.proto.runtime.v1.RuntimeConfigResponse;
import dev.berth.proto.runtime.v1.RuntimeServiceGrpc;
import dev.berth.proto.runtime.v1.StartContainerRequest;
import dev.berth.proto.runtime.v1.StartContainerResponse;
import dev.berth.proto.runtime.v1.StatusRequest;
import dev.berth.proto.runtime.v1.StatusResponse;
import dev.berth.proto.runtime.v1.StopContainerRequest;
import dev.berth.proto.runtime.v1.StopContainerResponse;
import dev.berth.proto.runtime.v1.StopPodSandboxRequest;
import dev.berth.proto.runtime.v1.StopPodSandboxResponse;
import dev.berth.proto.runtime.v1.StreamContainerStatsRequest;
import dev.berth.proto.runtime.v1.StreamContainerStatsResponse;
import dev.berth.proto.runtime.v1.StreamContainersRequest;
import dev.berth.proto.runtime.v1.StreamContainersResponse;
import dev.berth.proto.runtime.v1.StreamPodSandboxMetricsRequest;
import dev.berth.proto.runtime.v1.StreamPodSandboxMetricsResponse;
import dev.berth.proto.runtime.v1.StreamPodSandboxStatsRequest;
import dev.berth.proto.runtime.v1.StreamPodSandboxStatsResponse;
import dev.berth.proto.runtime.v1.StreamPodSandboxesRequest;
import dev.berth.proto.runtime.v1.StreamPodSandboxesResponse;
import dev.berth.proto.runtime.v1.UpdateContainerResourcesRequest;
import dev.berth.proto.runtime.v1.UpdateContainerResourcesResponse;
import dev.berth.proto.runtime.v1.UpdatePodSandboxResourcesRequest;
import dev.berth.proto.runtime.v1.UpdatePodSandboxResourcesResponse;
import dev.berth.proto.runtime.v1.UpdateRuntimeConfigRequest;
import dev.berth.proto.runtime.v1.UpdateRuntimeConfigResponse;
import dev.berth.proto.runtime.v1.VersionRequest;
import dev.berth.proto.runtime.v1.VersionResponse;
import io.grpc.stub.StreamObserver;

/**
 * runtime.v1.RuntimeService: thin, each RPC handed to the handler for its family. RPCs not overridden here
 * (checkpointing) answer UNIMPLEMENTED with the method's full name.
 */
public final class CriRuntimeService extends RuntimeServiceGrpc.RuntimeServiceImplBase {

    private final RuntimeInfoHandler info;
    private final SandboxHandler sandboxes;
    private final ContainerHandler containers;
    private final ContainerEventStream events;
    private final StreamingRequests streaming;
    private final PodStatsHandler podStats;

    public CriRuntimeService(RuntimeInfoHandler info, SandboxHandler sandboxes, ContainerHandler containers,
                             ContainerEventStream events, StreamingRequests streaming, PodStatsHandler podStats) {
        this.info = info;
        this.sandboxes = sandboxes;
        this.containers = containers;
        this.events = events;
        this.streaming = streaming;
        this.podStats = podStats;
    }

    @Override
    public void version(VersionRequest request, StreamObserver<VersionResponse> observer) {
        Unary.answer(observer, () -> info.version(request));
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> observer) {
        Unary.answer(observer, () -> info.status(request));
    }

    @Override
    public void runtimeConfig(RuntimeConfigRequest request, StreamObserver<RuntimeConfigResponse> observer) {
        Unary.answer(observer, info::runtimeConfig);
    }

    @Override
    public void updateRuntimeConfig(UpdateRuntimeConfigRequest request,
                                    StreamObserver<UpdateRuntimeConfigResponse> observer) {
        Unary.answer(observer, () -> {
            info.updateRuntimeConfig(request);
            return UpdateRuntimeConfigResponse.getDefaultInstance();
        });
    }

    @Override
    public void runPodSandbox(RunPodSandboxRequest request, StreamObserver<RunPodSandboxResponse> observer) {
        Unary.answer(observer, () -> sandboxes.run(request));
    }

    @Override
    public void stopPodSandbox(StopPodSandboxRequest request, StreamObserver<StopPodSandboxResponse> observer) {
        Unary.answer(observer, () -> {
            sandboxes.stop(request.getPodSandboxId());
            return StopPodSandboxResponse.getDefaultInstance();
        });
    }

    @Override
    public void removePodSandbox(RemovePodSandboxRequest request,
                                 StreamObserver<RemovePodSandboxResponse> observer) {
        Unary.answer(observer, () -> {
            sandboxes.remove(request.getPodSandboxId());
            return RemovePodSandboxResponse.getDefaultInstance();
        });
    }

    @Override
    public void podSandboxStatus(PodSandboxStatusRequest request,
                                 StreamObserver<PodSandboxStatusResponse> observer) {
        Unary.answer(observer, () -> sandboxes.status(request));
    }

    @Override
    public void updatePodSandboxResources(UpdatePodSandboxResourcesRequest request,
                                          StreamObserver<UpdatePodSandboxResourcesResponse> observer) {
        Unary.answer(observer, () -> {
            sandboxes.updateResources(request);
            return UpdatePodSandboxResourcesResponse.getDefaultInstance();
        });
    }

    @Override
    public void listPodSandbox(ListPodSandboxRequest request, StreamObserver<ListPodSandboxResponse> observer) {
        Unary.answer(observer, () -> ListPodSandboxResponse.newBuilder().addAllItems(sandboxes.list(request)).build());
    }

    @Override
    public void streamPodSandboxes(StreamPodSandboxesRequest request,
                                   StreamObserver<StreamPodSandboxesResponse> observer) {
        ListPodSandboxRequest.Builder list = ListPodSandboxRequest.newBuilder();
        if (request.hasFilter()) {
            list.setFilter(request.getFilter());
        }
        Chunks.send(sandboxes.list(list.build()),
                page -> StreamPodSandboxesResponse.newBuilder().addAllPodSandboxes(page).build(), observer);
    }

    @Override
    public void createContainer(CreateContainerRequest request, StreamObserver<CreateContainerResponse> observer) {
        Unary.answer(observer, () -> containers.create(request));
    }

    @Override
    public void startContainer(StartContainerRequest request, StreamObserver<StartContainerResponse> observer) {
        Unary.answer(observer, () -> {
            containers.start(request.getContainerId());
            return StartContainerResponse.getDefaultInstance();
        });
    }

    @Override
    public void stopContainer(StopContainerRequest request, StreamObserver<StopContainerResponse> observer) {
        Unary.answer(observer, () -> {
            containers.stop(request);
            return StopContainerResponse.getDefaultInstance();
        });
    }

    @Override
    public void removeContainer(RemoveContainerRequest request, StreamObserver<RemoveContainerResponse> observer) {
        Unary.answer(observer, () -> {
            containers.remove(request.getContainerId());
            return RemoveContainerResponse.getDefaultInstance();
        });
    }

    @Override
    public void listContainers(ListContainersRequest request, StreamObserver<ListContainersResponse> observer) {
        Unary.answer(observer, () -> ListContainersResponse.newBuilder()
                .addAllContainers(containers.list(request)).build());
    }

    @Override
    public void streamContainers(StreamContainersRequest request,
                                 StreamObserver<StreamContainersResponse> observer) {
        ListContainersRequest.Builder list = ListContainersRequest.newBuilder();
        if (request.hasFilter()) {
            list.setFilter(request.getFilter());
        }
        Chunks.send(containers.list(list.build()),
                page -> StreamContainersResponse.newBuilder().addAllContainers(page).build(), observer);
    }

    @Override
    public void containerStatus(ContainerStatusRequest request, StreamObserver<ContainerStatusResponse> observer) {
        Unary.answer(observer, () -> containers.status(request));
    }

    @Override
    public void updateContainerResources(UpdateContainerResourcesRequest request,
                                         StreamObserver<UpdateContainerResourcesResponse> observer) {
        Unary.answer(observer, () -> {
            containers.updateResources(request);
            return UpdateContainerResourcesResponse.getDefaultInstance();
        });
    }

    @Override
    public void reopenContainerLog(ReopenContainerLogRequest request,
                                   StreamObserver<ReopenContainerLogResponse> observer) {
        Unary.answer(observer, () -> {
            containers.reopenLog(request.getContainerId());
            return ReopenContainerLogResponse.getDefaultInstance();
        });
    }

    @Override
    public void execSync(ExecSyncRequest request, StreamObserver<ExecSyncResponse> observer) {
        Unary.answer(observer, () -> containers.execSync(request));
    }

    @Override
    public void exec(ExecRequest request, StreamObserver<ExecResponse> observer) {
        Unary.answer(observer, () -> streaming.exec(request));
    }

    @Override
    public void attach(AttachRequest request, StreamObserver<AttachResponse> observer) {
        Unary.answer(observer, () -> streaming.attach(request));
    }

    @Override
    public void portForward(PortForwardRequest request, StreamObserver<PortForwardResponse> observer) {
        Unary.answer(observer, () -> streaming.portForward(request));
    }

    @Override
    public void containerStats(ContainerStatsRequest request, StreamObserver<ContainerStatsResponse> observer) {
        Unary.answer(observer, () -> ContainerStatsResponse.newBuilder()
                .setStats(containers.stats(request.getContainerId())).build());
    }

    @Override
    public void listContainerStats(ListContainerStatsRequest request,
                                   StreamObserver<ListContainerStatsResponse> observer) {
        Unary.answer(observer, () -> ListContainerStatsResponse.newBuilder()
                .addAllStats(containers.listStats(request.getFilter())).build());
    }

    @Override
    public void streamContainerStats(StreamContainerStatsRequest request,
                                     StreamObserver<StreamContainerStatsResponse> observer) {
        Chunks.send(containers.listStats(request.getFilter()),
                page -> StreamContainerStatsResponse.newBuilder().addAllContainerStats(page).build(), observer);
    }

    @Override
    public void podSandboxStats(PodSandboxStatsRequest request, StreamObserver<PodSandboxStatsResponse> observer) {
        Unary.answer(observer, () -> PodSandboxStatsResponse.newBuilder()
                .setStats(podStats.stats(request.getPodSandboxId())).build());
    }

    @Override
    public void listPodSandboxStats(ListPodSandboxStatsRequest request,
                                    StreamObserver<ListPodSandboxStatsResponse> observer) {
        Unary.answer(observer, () -> ListPodSandboxStatsResponse.newBuilder()
                .addAllStats(podStats.listStats(request.getFilter())).build());
    }

    @Override
    public void streamPodSandboxStats(StreamPodSandboxStatsRequest request,
                                      StreamObserver<StreamPodSandboxStatsResponse> observer) {
        Chunks.send(podStats.listStats(request.getFilter()),
                page -> StreamPodSandboxStatsResponse.newBuilder().addAllPodSandboxStats(page).build(), observer);
    }

    @Override
    public void listMetricDescriptors(ListMetricDescriptorsRequest request,
                                      StreamObserver<ListMetricDescriptorsResponse> observer) {
        Unary.answer(observer, podStats::descriptors);
    }

    @Override
    public void listPodSandboxMetrics(ListPodSandboxMetricsRequest request,
                                      StreamObserver<ListPodSandboxMetricsResponse> observer) {
        Unary.answer(observer, () -> ListPodSandboxMetricsResponse.newBuilder()
                .addAllPodMetrics(podStats.metrics()).build());
    }

    @Override
    public void streamPodSandboxMetrics(StreamPodSandboxMetricsRequest request,
                                        StreamObserver<StreamPodSandboxMetricsResponse> observer) {
        Chunks.send(podStats.metrics(),
                page -> StreamPodSandboxMetricsResponse.newBuilder().addAllPodSandboxMetrics(page).build(), observer);
    }

    @Override
    public void getContainerEvents(GetEventsRequest request, StreamObserver<ContainerEventResponse> observer) {
        events.serve(observer);
    }
}
