package dev.berth.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.common.net.NetnsCreator;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.runtime.container.ContainerEvent;
import dev.berth.runtime.container.ContainerEventType;
import dev.berth.runtime.container.ContainerEvents;
import dev.berth.runtime.container.ContainerFilter;
import dev.berth.runtime.container.ContainerRecord;
import dev.berth.runtime.container.ContainerState;
import dev.berth.runtime.sandbox.SandboxFilter;
import dev.berth.runtime.spi.NoNetwork;
import dev.berth.runtime.spi.PodNetworkProvider;
import dev.berth.runtime.spi.PodNetworkStatus;
import dev.berth.runtime.spi.PreparedRootfs;
import dev.berth.runtime.spi.RootfsProvider;
import dev.berth.runtime.spi.WritableLayerUsage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Retries of RunPodSandbox/CreateContainer while the first call still runs (the first is held inside a provider
 * stub), name conflicts, and the container event stream.
 */
@Tag("host")
class ReservationAndEventsTest {

    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private RuntimeFixture fixture;

    @AfterEach
    void tearDown() {
        release.countDown();
        pool.shutdownNow();
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void aRetriedRunPodSandboxGetsTheFirstCallsSandbox() throws Exception {
        AtomicInteger attaches = new AtomicInteger();
        PodNetworkProvider slow = new PodNetworkProvider() {
            @Override
            public PodNetworkStatus attach(String sandboxId, Path netnsPath, NetnsCreator netns,
                    PodSandboxConfig config) {
                netns.create(List.of());
                if (attaches.incrementAndGet() == 1) {
                    entered.countDown();
                    awaitQuietly(release);
                }
                return PodNetworkStatus.NONE;
            }

            @Override
            public void detach(String sandboxId, Path netnsPath, PodSandboxConfig config) {
            }
        };
        fixture = new RuntimeFixture(slow, Function.identity());
        PodSandboxConfig config = fixture.pod("slow").build();
        Future<String> first = pool.submit(() -> fixture.core.sandboxes().run(config, ""));
        assertTrue(entered.await(RuntimeFixture.WAIT_SECONDS, TimeUnit.SECONDS));
        Future<String> retry = pool.submit(() -> fixture.core.sandboxes().run(config, ""));

        PodSandboxConfig different = config.toBuilder().putAnnotations("changed", "yes").build();
        BerthException conflict = assertThrows(BerthException.class,
                () -> fixture.core.sandboxes().run(different, ""));
        assertEquals(BerthException.Kind.ALREADY_EXISTS, conflict.kind());
        // Still being created: hidden from List.
        assertTrue(fixture.core.sandboxes().list(SandboxFilter.ALL).isEmpty());

        release.countDown();
        String id = first.get(RuntimeFixture.WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(id, retry.get(RuntimeFixture.WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(conflict.getMessage().contains(id), conflict.getMessage());
        assertEquals(1, attaches.get());
        assertEquals(1, fixture.core.sandboxes().list(SandboxFilter.ALL).size());
        // After it finished: the same request still gets the same sandbox, a different one a conflict.
        assertEquals(id, fixture.core.sandboxes().run(config, ""));
        assertEquals(BerthException.Kind.ALREADY_EXISTS, assertThrows(BerthException.class,
                () -> fixture.core.sandboxes().run(different, "")).kind());
    }

    @Test
    void aRetriedCreateContainerGetsTheFirstCallsContainer() throws Exception {
        AtomicInteger prepares = new AtomicInteger();
        Function<RootfsProvider, RootfsProvider> slowFirst = images -> new RootfsProvider() {
            @Override
            public PreparedRootfs prepare(String containerId, String image) {
                if (prepares.incrementAndGet() == 1) {
                    entered.countDown();
                    awaitQuietly(release);
                }
                return images.prepare(containerId, image);
            }

            @Override
            public void release(String containerId) {
                images.release(containerId);
            }

            @Override
            public WritableLayerUsage usage(String containerId) {
                return images.usage(containerId);
            }
        };
        fixture = new RuntimeFixture(new NoNetwork(), slowFirst);
        String pod = fixture.runPod("p");
        var config = RuntimeFixture.container("c", "sleep 1");
        Future<String> first = pool.submit(() -> fixture.createContainer(pod, config));
        assertTrue(entered.await(RuntimeFixture.WAIT_SECONDS, TimeUnit.SECONDS));
        Future<String> retry = pool.submit(() -> fixture.createContainer(pod, config));
        BerthException conflict = assertThrows(BerthException.class,
                () -> fixture.createContainer(pod, config.clone().addArgs("x")));
        assertEquals(BerthException.Kind.ALREADY_EXISTS, conflict.kind());

        release.countDown();
        String id = first.get(RuntimeFixture.WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(id, retry.get(RuntimeFixture.WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(conflict.getMessage().contains(id), conflict.getMessage());
        assertEquals(1, prepares.get());
        assertEquals(List.of(id), fixture.core.containers().list(ContainerFilter.ALL).stream()
                .map(c -> c.id()).toList());
        // The same name with another attempt number is another container.
        String next = fixture.createContainer(pod, config.clone().setMetadata(config.getMetadata().toBuilder()
                .setAttempt(1)));
        assertTrue(!next.equals(id));
    }

    @Test
    void eventsFollowTheLifecycleWithThePodSnapshot() throws Exception {
        fixture = new RuntimeFixture();
        String pod = fixture.runPod("ev");
        try (ContainerEvents.Subscription events = fixture.core.events().subscribe()) {
            String id = fixture.runContainer(pod, RuntimeFixture.container("c", "exit 0"));
            fixture.awaitState(id, ContainerState.EXITED);
            fixture.core.containers().remove(id);
            List<ContainerEvent> seen = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                seen.add(events.poll(RuntimeFixture.WAIT_SECONDS, TimeUnit.SECONDS).orElseThrow());
            }
            assertEquals(List.of(ContainerEventType.CONTAINER_CREATED, ContainerEventType.CONTAINER_STARTED,
                    ContainerEventType.CONTAINER_STOPPED, ContainerEventType.CONTAINER_DELETED),
                    seen.stream().map(ContainerEvent::type).toList());
            for (ContainerEvent event : seen) {
                assertEquals(id, event.containerId());
                assertNotNull(event.sandbox());
                assertEquals(pod, event.sandbox().id());
                assertTrue(event.createdAt() > 0);
            }
            assertEquals(ContainerState.EXITED, seen.get(2).containers().get(0).state());
            assertEquals(0, seen.get(2).containers().get(0).exitCode());
            assertTrue(seen.get(3).containers().isEmpty());
            assertNull(events.poll(0, TimeUnit.SECONDS).orElse(null));
        }
    }

    @Test
    void sandboxEventsCarryTheSandboxIdAndThePodSnapshot() throws Exception {
        fixture = new RuntimeFixture();
        try (ContainerEvents.Subscription events = fixture.core.events().subscribe()) {
            String pod = fixture.runPod("sbev");
            String id = fixture.createContainer(pod, RuntimeFixture.container("c", "sleep 60"));
            fixture.core.sandboxes().stop(pod);
            fixture.core.sandboxes().stop(pod); // a repeated stop is not a second STOPPED
            fixture.core.sandboxes().remove(pod);
            List<ContainerEvent> seen = new ArrayList<>();
            ContainerEvent event;
            while ((event = events.poll(RuntimeFixture.WAIT_SECONDS, TimeUnit.SECONDS).orElse(null)) != null) {
                seen.add(event);
                if (event.containerId().equals(pod) && event.type() == ContainerEventType.CONTAINER_DELETED) {
                    break;
                }
            }
            List<ContainerEvent> ofPod = seen.stream().filter(e -> e.containerId().equals(pod)).toList();
            assertEquals(List.of(ContainerEventType.CONTAINER_CREATED, ContainerEventType.CONTAINER_STARTED,
                    ContainerEventType.CONTAINER_STOPPED, ContainerEventType.CONTAINER_DELETED),
                    ofPod.stream().map(ContainerEvent::type).toList());
            for (ContainerEvent e : seen) {
                assertNotNull(e.sandbox(), "every event names its pod: " + e.type() + " " + e.containerId());
                assertEquals(pod, e.sandbox().id());
            }
            assertEquals(dev.berth.runtime.sandbox.SandboxState.READY, ofPod.get(0).sandbox().state());
            assertTrue(ofPod.get(0).containers().isEmpty());
            // Stopped: the pod is not ready, and its container is among the statuses.
            assertEquals(dev.berth.runtime.sandbox.SandboxState.NOTREADY, ofPod.get(2).sandbox().state());
            assertEquals(List.of(id), ofPod.get(2).containers().stream().map(ContainerRecord::id).toList());
            assertTrue(ofPod.get(3).containers().isEmpty());
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(RuntimeFixture.WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
