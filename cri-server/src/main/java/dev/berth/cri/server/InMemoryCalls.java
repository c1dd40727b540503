package dev.berth.cri.server;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Runs the calls that are answered from memory (statuses, lists, version) on the transport's own thread, so that
 * the kubelet's frequent polls skip the hand-off to the request thread pool and back; every other call keeps the
 * default executor, since it may block on processes or files. A method listed here must never block.
 */
final class InMemoryCalls implements ServerCallExecutorSupplier {

    private static final String RUNTIME = "runtime.v1.RuntimeService/";
    private static final Set<String> METHODS = Set.of(
            RUNTIME + "Version",
            RUNTIME + "PodSandboxStatus",
            RUNTIME + "ListPodSandbox",
            RUNTIME + "ContainerStatus",
            RUNTIME + "ListContainers");
    private static final Executor DIRECT = Runnable::run;

    @Override
    public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata metadata) {
        // null: the server's default executor.
        return METHODS.contains(call.getMethodDescriptor().getFullMethodName()) ? DIRECT : null;
    }
}
