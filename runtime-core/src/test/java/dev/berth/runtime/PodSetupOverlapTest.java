package dev.berth.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.common.fs.MountTable;
import dev.berth.common.net.NetnsCreator;
import dev.berth.proto.runtime.v1.NamespaceMode;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.runtime.host.cgroup.CgroupLayout;
import dev.berth.runtime.sandbox.SandboxFilter;
import dev.berth.runtime.spi.PodNetworkProvider;
import dev.berth.runtime.spi.PodNetworkStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * RunPodSandbox sets up the pod's shm and PID holder while the network is being attached: a network that returns
 * only once it has seen both proves the overlap (run one after the other, the network would wait for ever).
 * StopPodSandbox ends the holder while the network is detached; a failure of either leaves the other done.
 */
@Tag("host")
class PodSetupOverlapTest {

    private RuntimeFixture fixture;

    @AfterEach
    void tearDown() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void shmAndThePidHolderAreReadyBeforeTheNetworkReturns() {
        AtomicInteger holderSeen = new AtomicInteger();
        fixture = new RuntimeFixture(new WatchingNetwork(holderSeen, false), Function.identity());

        String pod = fixture.core.sandboxes().run(sharedPidPod("overlap"), "");

        int holder = fixture.core.sandboxes().status(pod).pidHolderPid();
        assertTrue(holder > 0);
        assertEquals(holder, holderSeen.get(), "the network saw the recorded holder");
    }

    @Test
    void whenTheNetworkFailsTheStepsBesideItAreUndone() throws Exception {
        AtomicInteger holderSeen = new AtomicInteger();
        fixture = new RuntimeFixture(new WatchingNetwork(holderSeen, true), Function.identity());

        BerthException e = assertThrows(BerthException.class,
                () -> fixture.core.sandboxes().run(sharedPidPod("doomed"), ""));
        assertTrue(e.getMessage().contains("plugin failed after the namespaces were made"), e.getMessage());

        int holder = holderSeen.get();
        assertTrue(holder > 0);
        RuntimeFixture.eventually("the holder is gone", () -> !Files.exists(Path.of("/proc/" + holder)));
        assertEquals(List.of(), MountTable.current().under(fixture.config.stateDir().resolve("sandboxes")),
                "mounts left under the sandboxes' runtime dirs");
        assertEquals(List.of(), holderCgroups(), "holder cgroups left under the pod's parent");
        assertTrue(fixture.core.sandboxes().list(SandboxFilter.ALL).isEmpty());
    }

    @Test
    void aStopWhoseDetachFailsStillEndsTheHolderAndTheNextStopFinishes() throws Exception {
        AtomicInteger detaches = new AtomicInteger();
        fixture = new RuntimeFixture(new PodNetworkProvider() {
            @Override
            public PodNetworkStatus attach(String sandboxId, Path netnsPath, NetnsCreator netns,
                    PodSandboxConfig config) {
                netns.create(List.of());
                return PodNetworkStatus.NONE;
            }

            @Override
            public void detach(String sandboxId, Path netnsPath, PodSandboxConfig config) {
                if (detaches.incrementAndGet() == 1) {
                    throw BerthException.internal("plugin DEL failed", null);
                }
            }
        }, Function.identity());
        String pod = fixture.core.sandboxes().run(sharedPidPod("flaky-del"), "");
        int holder = fixture.core.sandboxes().status(pod).pidHolderPid();
        assertTrue(holder > 0);

        BerthException e = assertThrows(BerthException.class, () -> fixture.core.sandboxes().stop(pod));
        assertTrue(e.getMessage().contains("plugin DEL failed"), e.getMessage());
        assertFalse(Files.exists(Path.of("/proc/" + holder)), "the holder outlived the failed stop");
        assertEquals(List.of(), holderCgroups(), "holder cgroups left under the pod's parent");
        assertEquals(0, fixture.core.sandboxes().status(pod).pidHolderPid());

        fixture.core.sandboxes().stop(pod);
        assertEquals(2, detaches.get(), "the second stop detached again");
        fixture.core.sandboxes().stop(pod);
        assertEquals(2, detaches.get(), "a stopped pod is detached once");
    }

    private PodSandboxConfig sharedPidPod(String name) {
        PodSandboxConfig.Builder config = fixture.pod(name);
        config.getLinuxBuilder().getSecurityContextBuilder()
                .setNamespaceOptions(RuntimeFixture.namespaces(NamespaceMode.POD));
        return config.build();
    }

    private List<Path> holderCgroups() throws IOException {
        Optional<Path> parent = CgroupLayout.detect().v1("pids", fixture.host.cgroupParent().substring(1));
        if (parent.isEmpty() || !Files.isDirectory(parent.get())) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(parent.get())) {
            return children.filter(Files::isDirectory).toList();
        }
    }

    /**
     * Makes the namespace, then waits until the pod's shm is mounted and a catatonit runs in the new network
     * namespace, as a CNI ADD would take its time; then returns, or fails when told to.
     */
    private final class WatchingNetwork implements PodNetworkProvider {

        private final AtomicInteger holderSeen;
        private final boolean fail;

        WatchingNetwork(AtomicInteger holderSeen, boolean fail) {
            this.holderSeen = holderSeen;
            this.fail = fail;
        }

        @Override
        public PodNetworkStatus attach(String sandboxId, Path netnsPath, NetnsCreator netns,
                PodSandboxConfig config) {
            netns.create(List.of());
            Path shm = fixture.config.stateDir().resolve("sandboxes").resolve(sandboxId).resolve("shm");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RuntimeFixture.WAIT_SECONDS);
            while (!MountTable.current().isMountPoint(shm) || holderSeen.get() == 0) {
                catatonitIn(netnsPath).ifPresent(holderSeen::set);
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the network returned before shm and the PID holder were set up: "
                            + "they do not run beside it");
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
            if (fail) {
                throw BerthException.internal("plugin failed after the namespaces were made", null);
            }
            return PodNetworkStatus.NONE;
        }

        @Override
        public void detach(String sandboxId, Path netnsPath, PodSandboxConfig config) {
        }
    }

    /** A catatonit process whose network namespace is the pinned one. */
    private static Optional<Integer> catatonitIn(Path netnsPath) {
        String pinned;
        try {
            pinned = Files.readAttributes(netnsPath, "unix:ino").get("ino").toString();
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .filter(pid -> isCatatonitIn(pid, pinned)).map(Integer::valueOf).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean isCatatonitIn(String pid, String netnsInode) {
        try {
            String cmdline = new String(Files.readAllBytes(Path.of("/proc", pid, "cmdline")),
                    StandardCharsets.UTF_8);
            if (!cmdline.startsWith("/catatonit\0")) {
                return false;
            }
            String ns = Files.readSymbolicLink(Path.of("/proc", pid, "ns", "net")).toString();
            return ns.equals("net:[" + netnsInode + "]");
        } catch (IOException e) {
            return false;
        }
    }
}
