package dev.berth.bench.scenario;

import dev.berth.bench.CriEndpoint;
import dev.berth.bench.RuntimeUnderTest;
import dev.berth.bench.host.HostProcesses;
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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a node pays to run the runtime: the proportional set size (PSS, so shared libraries count once) of the daemon
 * and every per-pod and per-container helper it started (berth: conmon, the PID holders; containerd: shims, pause
 * containers), not the workloads themselves, at 0, 10, 30 and 100 pods with one busybox {@code sleep} each. Recorded
 * in KiB × 1000 as nanoseconds, so the report's "ms" column reads as (decimal) MB.
 */
public final class NodeOverheadScenario implements CriScenario {

    static final List<Integer> LEVELS = List.of(0, 10, 30, 100);
    private static final Duration SETTLE = Duration.ofSeconds(3);

    private final PushedImage image;

    public NodeOverheadScenario(PushedImage image) {
        this.image = image;
    }

    @Override
    public String name() {
        return "node overhead (PSS MB, read ms as MB)";
    }

    @Override
    public Outcome run(RuntimeUnderTest runtime) {
        CriEndpoint cri = runtime.endpoint();
        Measurement m = new Measurement();
        Set<String> live = ConcurrentHashMap.newKeySet();
        return m.run(name() + " on " + runtime.label(), () -> {
            StepException.wrap("PullImage", () -> cri.images(Duration.ofMinutes(5)).pullImage(
                    PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(image.reference())).build()));
            m.recorder.recording(true);
            int made = 0;
            for (int level : LEVELS) {
                for (; made < level; made++) {
                    onePod(cri, runtime, "overhead-" + made, live);
                }
                sleep(SETTLE);
                Set<Long> helpers = helpers(runtime);
                long kib = helpers.stream().mapToLong(NodeOverheadScenario::pssKib).sum();
                m.recorder.record("PSS at " + level + " pods", kib * 1000);
                m.notes.add(runtime.label() + " at " + level + " pods: " + helpers.size() + " processes, PSS "
                        + kib / 1024 + " MiB");
            }
        }, () -> live.forEach(id -> PodCleanup.removePod(cri, id)));
    }

    private void onePod(CriEndpoint cri, RuntimeUnderTest runtime, String name, Set<String> live) {
        PodSandboxConfig podConfig = PodConfigs.pod(runtime, name);
        ContainerConfig config = PodWithContainerScenario.withPid(PodConfigs.sleeper("sleeper", image.reference()),
                NamespaceMode.CONTAINER);
        String pod = StepException.wrap("RunPodSandbox", () -> cri.runtime().runPodSandbox(
                RunPodSandboxRequest.newBuilder().setConfig(podConfig).build())).getPodSandboxId();
        live.add(pod);
        String id = StepException.wrap("CreateContainer", () -> cri.runtime().createContainer(
                CreateContainerRequest.newBuilder().setPodSandboxId(pod).setConfig(config)
                        .setSandboxConfig(podConfig).build())).getContainerId();
        StepException.wrap("StartContainer", () -> cri.runtime().startContainer(
                StartContainerRequest.newBuilder().setContainerId(id).build()));
    }

    /**
     * The daemon, every process naming the run's directory (conmon, shims), and every process in the pods' cgroups
     * (pause containers, PID holders) except the workload ({@code sleep}).
     */
    private static Set<Long> helpers(RuntimeUnderTest runtime) {
        Set<Long> pids = new TreeSet<>();
        pids.add(runtime.daemonPid());
        HostProcesses.referencing(runtime.workDirectory().toString()).forEach(p -> pids.add(p.pid()));
        pids.addAll(HostProcesses.inCgroupTree(Path.of("/sys/fs/cgroup/pids").resolve(
                runtime.cgroupParent().substring(1))));
        pids.removeIf(pid -> comm(pid).equals("sleep"));
        return pids;
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static long pssKib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
                if (line.startsWith("Pss:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            // gone
        }
        return 0;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
