package dev.berth.bench.scenario;

import dev.berth.bench.CriEndpoint;
import dev.berth.bench.RuntimeUnderTest;
import dev.berth.bench.stats.StepException;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.NamespaceMode;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.StartContainerRequest;
import dev.berth.testing.image.PushedImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@value #PODS} pods, each with one container (RunPodSandbox → CreateContainer → StartContainer), asked for by
 * {@value #CLIENTS} clients at once, as a node does when a deployment scales up: the wall time of the whole burst and
 * each pod's own time (its p50 and p99 are the per-pod latency). Pods are removed, untimed, between rounds.
 */
public final class BurstScenario implements CriScenario {

    static final int PODS = 30;
    static final int CLIENTS = 10;
    private static final int ROUNDS_MAX = 3;

    private final PushedImage image;
    private final Settings settings;

    public BurstScenario(PushedImage image, Settings settings) {
        this.image = image;
        this.settings = settings;
    }

    @Override
    public String name() {
        return "burst: " + PODS + " pods from " + CLIENTS + " clients";
    }

    @Override
    public Outcome run(RuntimeUnderTest runtime) {
        CriEndpoint cri = runtime.endpoint();
        Measurement m = new Measurement();
        Set<String> live = ConcurrentHashMap.newKeySet();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        return m.run(name() + " on " + runtime.label(), () -> {
            StepException.wrap("PullImage", () -> cri.images(Duration.ofMinutes(5)).pullImage(
                    PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(image.reference())).build()));
            // Earlier scenarios warmed both runtimes up: every round is recorded.
            m.recorder.recording(true);
            int rounds = Math.min(settings.iterations(), ROUNDS_MAX);
            for (int round = 0; round < rounds; round++) {
                List<Future<Long>> pods = new ArrayList<>();
                long start = System.nanoTime();
                for (int i = 0; i < PODS; i++) {
                    String name = "burst-" + round + "-" + i;
                    pods.add(clients.submit(() -> onePod(cri, runtime, name, live)));
                }
                List<Long> each = new ArrayList<>();
                for (Future<Long> pod : pods) {
                    each.add(join(pod));
                }
                m.recorder.record("wall", System.nanoTime() - start);
                each.forEach(nanos -> m.recorder.record("per pod", nanos));
                removeAll(cri, live, clients);
            }
        }, () -> {
            removeAll(cri, live, clients);
            clients.shutdownNow();
        });
    }

    private long onePod(CriEndpoint cri, RuntimeUnderTest runtime, String name, Set<String> live) {
        PodSandboxConfig podConfig = PodConfigs.pod(runtime, name);
        ContainerConfig config = PodWithContainerScenario.withPid(PodConfigs.sleeper("sleeper", image.reference()),
                NamespaceMode.CONTAINER);
        long start = System.nanoTime();
        String pod = StepException.wrap("RunPodSandbox", () -> cri.runtime().runPodSandbox(
                RunPodSandboxRequest.newBuilder().setConfig(podConfig).build())).getPodSandboxId();
        live.add(pod);
        String id = StepException.wrap("CreateContainer", () -> cri.runtime().createContainer(
                CreateContainerRequest.newBuilder().setPodSandboxId(pod).setConfig(config)
                        .setSandboxConfig(podConfig).build())).getContainerId();
        StepException.wrap("StartContainer", () -> cri.runtime().startContainer(
                StartContainerRequest.newBuilder().setContainerId(id).build()));
        return System.nanoTime() - start;
    }

    private static void removeAll(CriEndpoint cri, Set<String> live, ExecutorService clients) {
        List<Future<?>> removals = new ArrayList<>();
        for (String pod : List.copyOf(live)) {
            removals.add(clients.submit(() -> {
                PodCleanup.removePod(cri, pod);
                live.remove(pod);
            }));
        }
        removals.forEach(BurstScenario::join);
    }

    private static <T> T join(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
