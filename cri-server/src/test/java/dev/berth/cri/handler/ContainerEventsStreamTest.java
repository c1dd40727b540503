package dev.berth.cri.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.cri.testing.MetricsScrape;
import dev.berth.proto.runtime.v1.ContainerEventResponse;
import dev.berth.proto.runtime.v1.ContainerEventType;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.GetEventsRequest;
import dev.berth.proto.runtime.v1.RuntimeServiceGrpc;
import dev.berth.proto.runtime.v1.StartContainerRequest;
import dev.berth.testing.cri.CriClient;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * GetContainerEvents as the kubelet's evented PLEG uses it: sandbox and container events with the pod's status, to
 * every subscriber; and a subscriber that stops reading neither holds up the runtime nor the other subscribers,
 * and is cut off once it falls a whole buffer behind.
 */
@Tag("host")
class ContainerEventsStreamTest {

    static final int EVENT_BUFFER = 8;
    static final int MAX_CONTAINERS = 60;

    static final TestRegistry registry = TestRegistry.start();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withServerKeys("event_buffer = " + EVENT_BUFFER)
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n");

    @AfterAll
    static void checkLeftovers() {
        registry.close();
        berth.stopDaemon();
        berth.assertNothingLeft();
    }

    @Test
    void aStalledSubscriberDoesNotHoldUpCreatesAndIsCutOffAfterOverflow() throws Exception {
        PushedImage busybox = berth.pullBusybox(registry, "events/busybox");
        BlockingQueue<ContainerEventResponse> seen = new LinkedBlockingQueue<>();
        berth.client().runtimeAsync().getContainerEvents(GetEventsRequest.getDefaultInstance(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(ContainerEventResponse value) {
                        seen.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        // A client that never asks for a message and takes at most 4 KiB unread: the server must hold the rest.
        try (CriClient stalledClient = CriClient.connect(berth.socket(), 4096)) {
            ClientCall<GetEventsRequest, ContainerEventResponse> stalled = stalledClient.channel().newCall(
                    RuntimeServiceGrpc.getGetContainerEventsMethod(), CallOptions.DEFAULT);
            CompletableFuture<Status> closed = new CompletableFuture<>();
            stalled.start(new ClientCall.Listener<>() {
                @Override
                public void onClose(Status status, Metadata trailers) {
                    closed.complete(status);
                }
            }, new Metadata());
            stalled.sendMessage(GetEventsRequest.getDefaultInstance());
            stalled.halfClose();
            awaitSubscribers(2);
            MetricsScrape before = scrape();

            List<String> created = new ArrayList<>();
            String podId;
            try (TestPod pod = TestPod.run(berth, busybox.imageId(), "events", false)) {
                podId = pod.id();
                // Each event carries every container's status, so events grow with the pod; stop at the cut-off.
                while (overflowedSince(before) == 0 && created.size() < MAX_CONTAINERS) {
                    String id = berth.client().runtime().withDeadlineAfter(30, TimeUnit.SECONDS)
                            .createContainer(CreateContainerRequest.newBuilder().setPodSandboxId(pod.id())
                                    .setSandboxConfig(pod.config())
                                    .setConfig(pod.container("c" + created.size())).build()).getContainerId();
                    created.add(id);
                    berth.client().runtime().withDeadlineAfter(30, TimeUnit.SECONDS)
                            .startContainer(StartContainerRequest.newBuilder().setContainerId(id).build());
                }
                assertEquals(1, overflowedSince(before), "the stalled subscriber was cut off after "
                        + created.size() + " containers");
                MetricsScrape after = scrape();
                assertTrue(after.value("berth_container_events_dropped_total")
                        - before.value("berth_container_events_dropped_total") >= EVENT_BUFFER,
                        "at least a buffer of events was dropped for it");
                assertEquals(1, after.value("berth_container_event_subscribers"), "only the reader is left");

                // The reading subscriber got every event, in order: the pod's, then each container's.
                assertEvent(seen.poll(30, TimeUnit.SECONDS), podId, ContainerEventType.CONTAINER_CREATED_EVENT,
                        podId);
                assertEvent(seen.poll(30, TimeUnit.SECONDS), podId, ContainerEventType.CONTAINER_STARTED_EVENT,
                        podId);
                for (int i = 0; i < created.size(); i++) {
                    String id = created.get(i);
                    ContainerEventResponse createdEvent = seen.poll(30, TimeUnit.SECONDS);
                    assertEvent(createdEvent, id, ContainerEventType.CONTAINER_CREATED_EVENT, podId);
                    assertEquals(i + 1, createdEvent.getContainersStatusesCount(), "statuses of the pod's containers");
                    assertEvent(seen.poll(30, TimeUnit.SECONDS), id, ContainerEventType.CONTAINER_STARTED_EVENT,
                            podId);
                }
                for (String id : created) {
                    pod.remove(id);
                }
            }

            // Once the stalled client reads what the server had sent it, the stream ends with the overflow error.
            stalled.request(Integer.MAX_VALUE);
            Status status = closed.get(30, TimeUnit.SECONDS);
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode(), status.toString());
            assertTrue(status.getDescription().contains("list pods and containers again"), status.toString());
        }
    }

    private static void assertEvent(ContainerEventResponse event, String containerId, ContainerEventType type,
                                    String podId) {
        assertNotNull(event, "no event for " + containerId + " " + type);
        assertEquals(containerId, event.getContainerId());
        assertEquals(type, event.getContainerEventType());
        assertEquals(podId, event.getPodSandboxStatus().getId());
        assertTrue(event.getCreatedAt() > 0);
    }

    private static MetricsScrape scrape() {
        return MetricsScrape.of(berth.daemon().metricsAddress().orElseThrow());
    }

    private static double overflowedSince(MetricsScrape before) {
        return scrape().value("berth_container_event_streams_overflowed_total")
                - before.value("berth_container_event_streams_overflowed_total");
    }

    private static void awaitSubscribers(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (scrape().value("berth_container_event_subscribers") < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("subscribers did not reach " + count);
            }
            Thread.sleep(20);
        }
    }
}
