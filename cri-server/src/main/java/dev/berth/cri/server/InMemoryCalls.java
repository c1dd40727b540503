package dev.berth.cri.server;

import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Splits a service's methods by where they run. The calls answered from memory (statuses, lists, version) run on the
 * transport's own thread, so the kubelet's frequent polls skip the hand-off to a request thread and back (two thread
 * wake-ups per call); every other call may block on processes or files and runs on the request pool. A method listed
 * here must never block.
 *
 * <p>The server itself runs on the direct executor: grpc-java's {@code ServerCallExecutorSupplier} would still look
 * the method up on its default executor, a thread hop for every call.
 */
final class InMemoryCalls {

    private static final String RUNTIME = "runtime.v1.RuntimeService/";
    private static final Set<String> METHODS = Set.of(
            RUNTIME + "Version",
            RUNTIME + "PodSandboxStatus",
            RUNTIME + "ListPodSandbox",
            RUNTIME + "ContainerStatus",
            RUNTIME + "ListContainers");

    private InMemoryCalls() {
    }

    /** Whether a method (full name, "package.Service/Method") runs on the transport thread. */
    static boolean answeredFromMemory(String fullMethodName) {
        return METHODS.contains(fullMethodName);
    }

    /** The same service with every method not answered from memory moved onto {@code requests}. */
    static ServerServiceDefinition dispatch(ServerServiceDefinition service, Executor requests) {
        ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(service.getServiceDescriptor());
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            builder.addMethod(placed(method, requests));
        }
        return builder.build();
    }

    private static <Q, R> ServerMethodDefinition<Q, R> placed(ServerMethodDefinition<Q, R> method,
                                                             Executor requests) {
        return answeredFromMemory(method.getMethodDescriptor().getFullMethodName())
                ? method : PooledCallHandler.wrap(method, requests);
    }
}
