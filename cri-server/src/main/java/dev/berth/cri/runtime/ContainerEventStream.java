package dev.berth.cri.runtime;

import dev.berth.proto.runtime.v1.ContainerEventResponse;
import dev.berth.proto.runtime.v1.ContainerEventType;
import dev.berth.runtime.container.ContainerEvent;
import dev.berth.runtime.container.ContainerEvents;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** GetContainerEvents: one subscription per caller (the evented PLEG), fed until the caller goes away. */
public final class ContainerEventStream implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ContainerEventStream.class);

    private final ContainerEvents events;
    private final ExecutorService pumps = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "container-events");
        thread.setDaemon(true);
        return thread;
    });

    public ContainerEventStream(ContainerEvents events) {
        this.events = events;
    }

    public void serve(StreamObserver<ContainerEventResponse> observer) {
        ServerCallStreamObserver<ContainerEventResponse> call =
                (ServerCallStreamObserver<ContainerEventResponse>) observer;
        ContainerEvents.Subscription subscription = events.subscribe();
        call.setOnCancelHandler(subscription::close);
        pumps.execute(() -> pump(call, subscription));
    }

    private void pump(ServerCallStreamObserver<ContainerEventResponse> call,
                      ContainerEvents.Subscription subscription) {
        try (subscription) {
            while (!call.isCancelled()) {
                Optional<ContainerEvent> event = subscription.poll(1, TimeUnit.SECONDS);
                if (event.isPresent()) {
                    call.onNext(response(event.get()));
                }
            }
        } catch (InterruptedException e) {
            call.onError(Status.UNAVAILABLE.withDescription("berth is shutting down").asRuntimeException());
        } catch (RuntimeException e) {
            log.debug("event stream ended error={}", e.toString());
        }
    }

    private static ContainerEventResponse response(ContainerEvent event) {
        ContainerEventResponse.Builder response = ContainerEventResponse.newBuilder()
                .setContainerId(event.containerId())
                .setContainerEventType(switch (event.type()) {
                    case CONTAINER_CREATED -> ContainerEventType.CONTAINER_CREATED_EVENT;
                    case CONTAINER_STARTED -> ContainerEventType.CONTAINER_STARTED_EVENT;
                    case CONTAINER_STOPPED -> ContainerEventType.CONTAINER_STOPPED_EVENT;
                    case CONTAINER_DELETED -> ContainerEventType.CONTAINER_DELETED_EVENT;
                })
                .setCreatedAt(event.createdAt());
        if (event.sandbox() != null) {
            response.setPodSandboxStatus(SandboxMessages.status(event.sandbox()));
        }
        event.containers().forEach(container -> response.addContainersStatuses(ContainerMessages.status(container)));
        return response.build();
    }

    @Override
    public void close() {
        pumps.shutdownNow();
    }
}
