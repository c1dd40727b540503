package dev.berth.cri.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.exec.Command;
import dev.berth.common.exec.CommandResult;
import dev.berth.cri.crash.ClientView.ContainerState;
import dev.berth.cri.crash.ClientView.Ctr;
import dev.berth.cri.crash.ClientView.Pod;
import dev.berth.cri.crash.ClientView.PodState;
import dev.berth.proto.runtime.v1.Container;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerMetadata;
import dev.berth.proto.runtime.v1.ContainerStatus;
import dev.berth.proto.runtime.v1.ContainerStatusRequest;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.ImageStatusRequest;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.ListContainersRequest;
import dev.berth.proto.runtime.v1.ListPodSandboxRequest;
import dev.berth.proto.runtime.v1.PodSandbox;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.PodSandboxState;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.proto.runtime.v1.RemoveContainerRequest;
import dev.berth.proto.runtime.v1.RemoveImageRequest;
import dev.berth.proto.runtime.v1.RemovePodSandboxRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.StartContainerRequest;
import dev.berth.proto.runtime.v1.StopContainerRequest;
import dev.berth.proto.runtime.v1.StopPodSandboxRequest;
import dev.berth.testing.cri.CriClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Churns pods and containers on a daemon and kills it with SIGKILL while one of its calls is in flight, then restarts
 * it and checks what the client may rely on. The kill lands at a random instant inside the call: a delay drawn from
 * 0 to 1.3 times the call's measured duration (no hooks in the daemon). After each restart:
 * <ul>
 *   <li>every pod and container whose ID the client received is listed, with its labels, annotations, log path and
 *       the state the client left it in;</li>
 *   <li>an object the client never got an ID for is visible and can be stopped and removed;</li>
 *   <li>a running container's process is the same process (PID and start time), and every log has consecutive
 *       counter lines;</li>
 *   <li>the interrupted request, sent again, succeeds;</li>
 *   <li>the host holds nothing (mount, pin, state file, veth, IPAM or attachment file, cgroup, nftables rule,
 *       process) for an object the client does not know, and no unfinished layer.</li>
 * </ul>
 */
final class CrashDriver {

    enum Op { RUN_POD, CREATE_CONTAINER, START_CONTAINER, STOP_POD, REMOVE_CONTAINER, REMOVE_POD, PULL_IMAGE }

    record Report(int kills, Map<Op, Integer> killsByOp, Map<Op, Integer> answeredBeforeKill, int unknownRemoved,
                  int retries, long anchorLines, int podsMade, int containersMade, Duration elapsed) {

        String line() {
            return "crash: %d kills (%s), %d calls answered before the kill, %d retried after the restart, %d objects the client never got an ID for removed, %d pods and %d containers made, %d anchor log lines without a gap, %d s"
                    .formatted(kills, killsByOp, answeredBeforeKill.values().stream().mapToInt(i -> i).sum(), retries,
                            unknownRemoved, podsMade, containersMade, anchorLines, elapsed.toSeconds());
        }
    }

    /** Counter lines: one number per line, so a gap shows as a missing number. */
    private static final String COUNTER = "i=0; while :; do echo $i; i=$((i+1)); sleep 0.005; done";
    private static final int MAX_PODS = 3;
    private static final int MAX_CONTAINERS_PER_POD = 2;

    private final DaemonUnderTest daemon;
    private final Random random;
    private final String imageId;
    private final String pullReference;
    private final ClientView view = new ClientView();
    private final Map<Op, Double> meanMillis = new EnumMap<>(Op.class);
    private final Map<Op, Integer> kills = new EnumMap<>(Op.class);
    private final Map<Op, Integer> answered = new EnumMap<>(Op.class);
    private final ExecutorService caller = Executors.newSingleThreadExecutor();
    private final ObjectMapper json = new ObjectMapper();
    private CriClient client;
    private Ctr anchor;
    private int serial;
    private int unknownRemoved;
    private int retries;
    private int podsMade;
    private int containersMade;

    CrashDriver(DaemonUnderTest daemon, long seed, String imageId, String pullReference) {
        this.daemon = daemon;
        this.random = new Random(seed);
        this.imageId = imageId;
        this.pullReference = pullReference;
    }

    Report run(int killCount) throws Exception {
        long started = System.nanoTime();
        client = daemon.connect();
        try {
            Pod anchorPod = runPod();
            anchor = createContainer(anchorPod);
            startContainer(anchor);
            calibrate();
            List<Op> order = new ArrayList<>();
            for (int k = 0; k < killCount; k++) {
                if (order.isEmpty()) {
                    order.addAll(List.of(Op.values()));
                    java.util.Collections.shuffle(order, random);
                }
                killDuring(order.remove(0));
            }
            long anchorLines = checkLog(anchor);
            removeEverything();
            return new Report(killCount, kills, answered, unknownRemoved, retries, anchorLines, podsMade,
                    containersMade, Duration.ofNanos(System.nanoTime() - started));
        } finally {
            client.close();
            caller.shutdownNow();
        }
    }

    /** Everything the client made is stopped and removed; the host then holds nothing of any pod. */
    void removeEverything() {
        for (Pod pod : List.copyOf(view.pods.values())) {
            stopPod(pod);
            removePod(pod);
        }
        Map<String, List<String>> left = HostInventory.of(daemon).byId();
        assertEquals(Map.of(), left, "held on the host after every pod was removed");
    }

    // ---- one kill ---------------------------------------------------------------------------------------------

    private void killDuring(Op op) throws Exception {
        Supplier<Object> call = prepare(op);
        double mean = meanMillis.getOrDefault(op, 200.0);
        long delayMicros = (long) (random.nextDouble() * mean * 1.3 * 1000);
        CompletableFuture<Object> inFlight = CompletableFuture.supplyAsync(call, caller);
        TimeUnit.MICROSECONDS.sleep(delayMicros);
        daemon.kill();
        kills.merge(op, 1, Integer::sum);
        Object answer;
        try {
            answer = inFlight.get(60, TimeUnit.SECONDS);
            answered.merge(op, 1, Integer::sum);
        } catch (ExecutionException failed) {
            answer = null;
        }
        client.close();
        daemon.start();
        client = daemon.connect();
        lastOp = op + (answer == null ? " (unanswered)" : " (answered)");
        try {
            settle(op, answer);
            removeUnknownObjects();
            finish(op, answer);
            verify();
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("kill " + kills.values().stream().mapToInt(i -> i).sum() + " during " + lastOp
                    + " after " + delayMicros + " us: " + e.getMessage(), e);
        }
        trimPopulation();
    }

    /** Pending work of the call being killed, set up by {@link #prepare} and settled by {@link #finish}. */
    private String lastOp = "none";
    private Pod targetPod;
    private Ctr targetContainer;
    private PodSandboxConfig pendingPodConfig;
    private ContainerConfig pendingContainerConfig;

    private Supplier<Object> prepare(Op op) {
        switch (op) {
            case RUN_POD -> {
                pendingPodConfig = podConfig();
                PodSandboxConfig config = pendingPodConfig;
                return () -> client.runtime().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(config)
                        .build()).getPodSandboxId();
            }
            case CREATE_CONTAINER -> {
                targetPod = readyChurnPod();
                pendingContainerConfig = containerConfig();
                CreateContainerRequest request = CreateContainerRequest.newBuilder().setPodSandboxId(targetPod.id)
                        .setSandboxConfig(targetPod.config).setConfig(pendingContainerConfig).build();
                return () -> client.runtime().createContainer(request).getContainerId();
            }
            case START_CONTAINER -> {
                targetContainer = createContainer(readyChurnPod());
                String id = targetContainer.id;
                return () -> client.runtime().startContainer(StartContainerRequest.newBuilder().setContainerId(id)
                        .build());
            }
            case STOP_POD -> {
                targetPod = readyChurnPod();
                if (view.containersOf(targetPod).stream().noneMatch(c -> c.state == ContainerState.RUNNING)) {
                    startContainer(createContainer(targetPod));
                }
                String id = targetPod.id;
                return () -> client.runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(id)
                        .build());
            }
            case REMOVE_CONTAINER -> {
                Pod pod = readyChurnPod();
                targetContainer = createContainer(pod);
                startContainer(targetContainer);
                stopContainer(targetContainer);
                String id = targetContainer.id;
                return () -> client.runtime().removeContainer(RemoveContainerRequest.newBuilder().setContainerId(id)
                        .build());
            }
            case REMOVE_POD -> {
                targetPod = readyChurnPod();
                if (view.containersOf(targetPod).isEmpty()) {
                    startContainer(createContainer(targetPod));
                }
                stopPod(targetPod);
                String id = targetPod.id;
                return () -> client.runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder()
                        .setPodSandboxId(id).build());
            }
            case PULL_IMAGE -> {
                removePullImage();
                return () -> client.images().pullImage(PullImageRequest.newBuilder()
                        .setImage(ImageSpec.newBuilder().setImage(pullReference)).build()).getImageRef();
            }
            default -> throw new IllegalStateException(op.toString());
        }
    }

    /** An answered RunPodSandbox or CreateContainer told the client an ID: the object is the client's from then on. */
    private void settle(Op op, Object answer) {
        if (answer == null) {
            return;
        }
        if (op == Op.RUN_POD) {
            view.pods.put((String) answer, new Pod((String) answer, pendingPodConfig));
            podsMade++;
        } else if (op == Op.CREATE_CONTAINER) {
            view.containers.put((String) answer, new Ctr((String) answer, targetPod, pendingContainerConfig,
                    logPath(targetPod, pendingContainerConfig)));
            containersMade++;
        }
    }

    /** Records what an answered call did, or sends an unanswered one again: the retry must succeed. */
    private void finish(Op op, Object answer) throws Exception {
        if (answer == null) {
            retries++;
        }
        switch (op) {
            case RUN_POD -> {
                if (answer == null) {
                    String id = timed(Op.RUN_POD, () -> client.runtime().runPodSandbox(RunPodSandboxRequest
                            .newBuilder().setConfig(pendingPodConfig).build()).getPodSandboxId());
                    view.pods.put(id, new Pod(id, pendingPodConfig));
                    podsMade++;
                }
            }
            case CREATE_CONTAINER -> {
                if (answer == null) {
                    String id = timed(Op.CREATE_CONTAINER, () -> client.runtime().createContainer(
                            CreateContainerRequest.newBuilder().setPodSandboxId(targetPod.id)
                                    .setSandboxConfig(targetPod.config).setConfig(pendingContainerConfig).build())
                            .getContainerId());
                    view.containers.put(id, new Ctr(id, targetPod, pendingContainerConfig,
                            logPath(targetPod, pendingContainerConfig)));
                    containersMade++;
                }
            }
            case START_CONTAINER -> {
                if (answer == null) {
                    // The start may have happened before the kill; a second start of a running container is the
                    // client's mistake, so it is retried only when the daemon says it is still created.
                    if (status(targetContainer.id).getState()
                            == dev.berth.proto.runtime.v1.ContainerState.CONTAINER_CREATED) {
                        startContainer(targetContainer);
                    } else {
                        retries--;
                        targetContainer.state = ContainerState.RUNNING;
                        targetContainer.started = true;
                        targetContainer.process = HostProcess.of(initPid(targetContainer.id));
                    }
                } else {
                    targetContainer.state = ContainerState.RUNNING;
                    targetContainer.started = true;
                    targetContainer.process = HostProcess.of(initPid(targetContainer.id));
                }
            }
            case STOP_POD -> {
                if (answer == null) {
                    stopPod(targetPod);
                } else {
                    view.podStopped(targetPod);
                }
            }
            case REMOVE_CONTAINER -> {
                if (answer == null) {
                    timed(Op.REMOVE_CONTAINER, () -> client.runtime().removeContainer(RemoveContainerRequest
                            .newBuilder().setContainerId(targetContainer.id).build()));
                }
                view.containers.remove(targetContainer.id);
            }
            case REMOVE_POD -> {
                if (answer == null) {
                    timed(Op.REMOVE_POD, () -> client.runtime().removePodSandbox(RemovePodSandboxRequest
                            .newBuilder().setPodSandboxId(targetPod.id).build()));
                }
                view.podRemoved(targetPod);
            }
            case PULL_IMAGE -> {
                if (answer == null) {
                    timed(Op.PULL_IMAGE, () -> client.images().pullImage(PullImageRequest.newBuilder()
                            .setImage(ImageSpec.newBuilder().setImage(pullReference)).build()));
                }
                assertTrue(client.images().imageStatus(ImageStatusRequest.newBuilder()
                        .setImage(ImageSpec.newBuilder().setImage(pullReference)).build()).hasImage(),
                        "pulled image is listed");
                // The pulled image adds one layer to busybox's: two complete layers, nothing unfinished.
                assertEquals(2, layerDirs().size(), () -> "layers: " + layerDirs());
                assertEquals(List.of(), unfinishedLayers(), "unfinished layers left");
            }
            default -> throw new IllegalStateException(op.toString());
        }
    }

    // ---- the checks after each restart --------------------------------------------------------------------------

    /** Objects the daemon lists that the client never got an ID for: visible, and they can be removed. */
    private void removeUnknownObjects() {
        Set<String> known = view.ids();
        for (Container c : client.runtime().listContainers(ListContainersRequest.getDefaultInstance())
                .getContainersList()) {
            if (!known.contains(c.getId())) {
                client.runtime().stopContainer(StopContainerRequest.newBuilder().setContainerId(c.getId())
                        .setTimeout(0).build());
                client.runtime().removeContainer(RemoveContainerRequest.newBuilder().setContainerId(c.getId())
                        .build());
                unknownRemoved++;
            }
        }
        for (PodSandbox p : client.runtime().listPodSandbox(ListPodSandboxRequest.getDefaultInstance())
                .getItemsList()) {
            if (!known.contains(p.getId())) {
                client.runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(p.getId())
                        .build());
                client.runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(p.getId())
                        .build());
                unknownRemoved++;
            }
        }
    }

    private void verify() throws Exception {
        Map<String, PodSandbox> pods = client.runtime().listPodSandbox(ListPodSandboxRequest.getDefaultInstance())
                .getItemsList().stream().collect(Collectors.toMap(PodSandbox::getId, p -> p));
        Map<String, Container> containers = client.runtime().listContainers(ListContainersRequest
                .getDefaultInstance()).getContainersList().stream().collect(Collectors.toMap(Container::getId, c -> c));
        assertEquals(view.pods.keySet(), pods.keySet(), "pods listed after the kill during " + lastOp);
        assertEquals(view.containers.keySet(), containers.keySet(), "containers listed after the kill during " + lastOp);
        for (Pod pod : view.pods.values()) {
            PodSandbox listed = pods.get(pod.id);
            assertEquals(pod.config.getLabelsMap(), listed.getLabelsMap(), "labels of pod " + pod.id);
            assertEquals(pod.config.getAnnotationsMap(), listed.getAnnotationsMap(), "annotations of pod " + pod.id);
            assertEquals(pod.state == PodState.READY ? PodSandboxState.SANDBOX_READY : PodSandboxState.SANDBOX_NOTREADY,
                    listed.getState(), "state of pod " + pod.id);
        }
        HostInventory host = HostInventory.of(daemon);
        for (Ctr c : view.containers.values()) {
            ContainerStatus status = status(c.id);
            assertEquals(c.config.getLabelsMap(), status.getLabelsMap(), "labels of container " + c.id);
            assertEquals(c.config.getAnnotationsMap(), status.getAnnotationsMap(), "annotations of " + c.id);
            assertEquals(c.logPath.toString(), status.getLogPath(), "log path of " + c.id);
            assertEquals(switch (c.state) {
                case CREATED -> dev.berth.proto.runtime.v1.ContainerState.CONTAINER_CREATED;
                case RUNNING -> dev.berth.proto.runtime.v1.ContainerState.CONTAINER_RUNNING;
                case EXITED -> dev.berth.proto.runtime.v1.ContainerState.CONTAINER_EXITED;
            }, status.getState(), "state of container " + c.id);
            if (c.state == ContainerState.RUNNING) {
                assertTrue(c.process.alive(), "container " + c.id + " kept its process " + c.process);
            }
            if (c.started) {
                checkLog(c);
            }
        }
        for (Pod pod : view.pods.values()) {
            boolean hasVeth = host.of(pod.id).stream().anyMatch(h -> h.startsWith("veth"));
            assertEquals(pod.state == PodState.READY, hasVeth, () -> "veth of pod " + pod.id + ": " + host.of(pod.id));
        }
        assertEquals(Map.of(), host.notOwnedBy(view.ids()), "held on the host for objects the client does not know, after the kill during " + lastOp);
        assertEquals(List.of(), unfinishedLayers(), "unfinished layers left");
    }

    /**
     * The counter's lines are 0, 1, 2… with none missing; returns how many there are. A line that conmon read in two
     * pieces is a partial ("P") entry followed by the rest ("F"), so entries are joined up to each full one.
     */
    private long checkLog(Ctr c) throws Exception {
        String text = Files.readString(c.logPath);
        text = text.substring(0, text.lastIndexOf('\n') + 1);
        long expected = 0;
        StringBuilder line = new StringBuilder();
        for (String entry : text.split("\n")) {
            if (entry.isEmpty()) {
                continue;
            }
            String[] fields = entry.split(" ", 4);
            assertEquals("stdout", fields.length > 1 ? fields[1] : "", () -> "log entry of " + c.id + ": " + entry);
            line.append(fields.length == 4 ? fields[3] : "");
            if (fields[2].equals("F")) {
                assertEquals(Long.toString(expected), line.toString(), "line " + expected + " of " + c.logPath);
                line.setLength(0);
                expected++;
            }
        }
        return expected;
    }

    // ---- normal calls (timed, so the kill delays follow what the calls take) -------------------------------------

    private void calibrate() {
        for (int i = 0; i < 1; i++) {
            Pod pod = runPod();
            Ctr c = createContainer(pod);
            startContainer(c);
            stopContainer(c);
            removeContainer(c);
            startContainer(createContainer(pod));
            stopPod(pod);
            removePod(pod);
            removePullImage();
            timed(Op.PULL_IMAGE, () -> client.images().pullImage(PullImageRequest.newBuilder()
                    .setImage(ImageSpec.newBuilder().setImage(pullReference)).build()));
        }
    }

    private Pod runPod() {
        PodSandboxConfig config = podConfig();
        String id = timed(Op.RUN_POD, () -> client.runtime().runPodSandbox(RunPodSandboxRequest.newBuilder()
                .setConfig(config).build()).getPodSandboxId());
        Pod pod = new Pod(id, config);
        view.pods.put(id, pod);
        podsMade++;
        return pod;
    }

    private Ctr createContainer(Pod pod) {
        ContainerConfig config = containerConfig();
        String id = timed(Op.CREATE_CONTAINER, () -> client.runtime().createContainer(CreateContainerRequest
                .newBuilder().setPodSandboxId(pod.id).setSandboxConfig(pod.config).setConfig(config).build())
                .getContainerId());
        Ctr c = new Ctr(id, pod, config, logPath(pod, config));
        view.containers.put(id, c);
        containersMade++;
        return c;
    }

    private void startContainer(Ctr c) {
        timed(Op.START_CONTAINER, () -> client.runtime().startContainer(StartContainerRequest.newBuilder()
                .setContainerId(c.id).build()));
        c.state = ContainerState.RUNNING;
        c.started = true;
        c.process = HostProcess.of(initPid(c.id));
    }

    private void stopContainer(Ctr c) {
        client.runtime().stopContainer(StopContainerRequest.newBuilder().setContainerId(c.id).setTimeout(0).build());
        c.state = ContainerState.EXITED;
        c.process = null;
    }

    private void removeContainer(Ctr c) {
        timed(Op.REMOVE_CONTAINER, () -> client.runtime().removeContainer(RemoveContainerRequest.newBuilder()
                .setContainerId(c.id).build()));
        view.containers.remove(c.id);
    }

    private void stopPod(Pod pod) {
        timed(Op.STOP_POD, () -> client.runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder()
                .setPodSandboxId(pod.id).build()));
        view.podStopped(pod);
    }

    private void removePod(Pod pod) {
        timed(Op.REMOVE_POD, () -> client.runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder()
                .setPodSandboxId(pod.id).build()));
        view.podRemoved(pod);
    }

    private void removePullImage() {
        client.images().removeImage(RemoveImageRequest.newBuilder()
                .setImage(ImageSpec.newBuilder().setImage(pullReference)).build());
    }

    private <T> T timed(Op op, Supplier<T> call) {
        long start = System.nanoTime();
        T result = call.get();
        double millis = (System.nanoTime() - start) / 1e6;
        meanMillis.merge(op, millis, (old, now) -> old * 0.7 + now * 0.3);
        return result;
    }

    private Pod readyChurnPod() {
        List<Pod> ready = view.pods.values().stream()
                .filter(p -> p.state == PodState.READY && p != anchor.pod).toList();
        if (ready.isEmpty()) {
            return runPod();
        }
        return ready.get(random.nextInt(ready.size()));
    }

    /** Keeps the node small: at most a few churn pods, each with at most two containers. */
    private void trimPopulation() {
        for (Pod pod : List.copyOf(view.pods.values())) {
            if (pod != anchor.pod) {
                List<Ctr> cs = view.containersOf(pod);
                for (int i = 0; i < cs.size() - MAX_CONTAINERS_PER_POD; i++) {
                    stopContainer(cs.get(i));
                    removeContainer(cs.get(i));
                }
            }
        }
        List<Pod> churn = view.pods.values().stream().filter(p -> p != anchor.pod).toList();
        for (int i = 0; i < churn.size() - MAX_PODS; i++) {
            stopPod(churn.get(i));
            removePod(churn.get(i));
        }
    }

    private PodSandboxConfig podConfig() {
        int n = ++serial;
        return PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("pod-" + n).setNamespace("crash")
                        .setUid("uid-" + n))
                .setLogDirectory(daemon.logs.resolve("pod-" + n).toString())
                .setHostname("pod-" + n)
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(daemon.cgroupParent))
                .putLabels("app", "crash")
                .putLabels("serial", Integer.toString(n))
                .putAnnotations("berth.test/note", "made before kill " + kills.values().stream()
                        .mapToInt(i -> i).sum())
                .build();
    }

    private ContainerConfig containerConfig() {
        int n = ++serial;
        return ContainerConfig.newBuilder()
                .setMetadata(ContainerMetadata.newBuilder().setName("c-" + n))
                .setImage(ImageSpec.newBuilder().setImage(imageId))
                .addAllCommand(List.of("sh", "-c", COUNTER))
                .setLogPath("c-" + n + "/0.log")
                .putLabels("serial", Integer.toString(n))
                .putAnnotations("berth.test/annotation", "container " + n)
                .build();
    }

    private static Path logPath(Pod pod, ContainerConfig config) {
        return Path.of(pod.config.getLogDirectory()).resolve(config.getLogPath());
    }

    private ContainerStatus status(String id) {
        return client.runtime().containerStatus(ContainerStatusRequest.newBuilder().setContainerId(id).build())
                .getStatus();
    }

    /** The container's init process, read from the OCI runtime's own state (not from berth). */
    private long initPid(String containerId) {
        CommandResult state = Command.of("runc", "--root", daemon.state.resolve("oci").resolve("runc").toString(),
                "state", containerId).run();
        if (state.exitCode() != 0) {
            throw new AssertionError("runc state " + containerId + ": " + state.stderrText());
        }
        try {
            return json.readTree(state.stdout()).get("pid").asLong();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private List<String> layerDirs() {
        try (Stream<Path> entries = Files.list(daemon.root.resolve("overlay2"))) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9a-f]{64}")).toList();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private List<String> unfinishedLayers() {
        Path incomplete = daemon.root.resolve("overlay2").resolve("incomplete");
        if (!Files.isDirectory(incomplete)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(incomplete)) {
            return entries.map(Path::toString).toList();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    Map<Op, Double> meanMillis() {
        return new HashMap<>(meanMillis);
    }
}
