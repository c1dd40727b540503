package dev.berth.cri.handler;

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
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GetContainerEvents: one subscription per caller (the evented PLEG), fed until the caller goes away. Events are
 * sent only while gRPC can take them (flow control), so a caller that stops reading fills its own bounded queue and
 * not the daemon's memory; when that queue overflows the stream ends with RESOURCE_EXHAUSTED and the caller relists
 * and subscribes again. The lifecycle operations that publish never wait for any caller.
 */
public final class ContainerEventStream implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ContainerEventStream.class);

    private static final long WAIT_MILLIS = 1000;

    private final ContainerEvents events;
    private final int buffer;
    private final ExecutorService pumps = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "container-events");
        thread.setDaemon(true);
        return thread;
    });

    /** @param buffer events held for a caller that is not reading before its stream is closed */
    public ContainerEventStream(ContainerEvents events, int buffer) {
        this.events = events;
        this.buffer = buffer;
    }

    public void serve(StreamObserver<ContainerEventResponse> observer) {
        ServerCallStreamObserver<ContainerEventResponse> call =
                (ServerCallStreamObserver<ContainerEventResponse>) observer;
        Semaphore wake = new Semaphore(0);
        ContainerEvents.Subscription subscription = events.subscribe(buffer, wake::release);
        call.setOnReadyHandler(wake::release);
        call.setOnCancelHandler(() -> {
            subscription.close();
            wake.release();
        });
        pumps.execute(() -> pump(call, subscription, wake));
    }

    private void pump(ServerCallStreamObserver<ContainerEventResponse> call,
                      ContainerEvents.Subscription subscription, Semaphore wake) {
        try (subscription) {
            while (!call.isCancelled()) {
                if (subscription.overflowed()) {
                    call.onError(Status.RESOURCE_EXHAUSTED.withDescription("this subscriber fell more than "
                            + buffer + " events behind and missed events; list pods and containers again and "
                            + "subscribe again").asRuntimeException());
                    return;
                }
                if (!call.isReady()) {
                    // Woken when gRPC can send again, on overflow or on cancel.
                    wake.tryAcquire(WAIT_MILLIS, TimeUnit.MILLISECONDS);
                    continue;
                }
                Optional<ContainerEvent> event = subscription.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
                if (event.isPresent() && !subscription.overflowed()) {
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
