package dev.berth.cri.soak;

import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerMetadata;
import dev.berth.proto.runtime.v1.ContainerState;
import dev.berth.proto.runtime.v1.ContainerStatus;
import dev.berth.proto.runtime.v1.ContainerStatusRequest;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.ExecSyncRequest;
import dev.berth.proto.runtime.v1.ExecSyncResponse;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerResources;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.LinuxSandboxSecurityContext;
import dev.berth.proto.runtime.v1.NamespaceMode;
import dev.berth.proto.runtime.v1.NamespaceOption;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.PortMapping;
import dev.berth.proto.runtime.v1.Protocol;
import dev.berth.proto.runtime.v1.RemovePodSandboxRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.StartContainerRequest;
import dev.berth.proto.runtime.v1.StopContainerRequest;
import dev.berth.proto.runtime.v1.StopPodSandboxRequest;
import dev.berth.testing.cri.CriClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One churning client: pod after pod, each with containers that exit 0, exit 1, are OOM-killed, ignore SIGTERM,
 * log at a high rate and answer ExecSync probes; every other pod maps a host port, every third shares one PID
 * namespace. Each pod is checked (exit codes, OOMKilled, the stop timeout honoured, every log line there, probe
 * output) and removed before the next.
 */
final class SoakWorker {

    static final int CHATTY_LINES = 5_000;
    private static final int STOP_TIMEOUT_SECONDS = 2;

    private final CriClient client;
    private final Latencies latencies;
    private final String imageId;
    private final Path logs;
    private final String cgroupParent;
    private final int worker;
    private final boolean hostPorts;
    private final Set<String> madeIds;
    private int serial;

    SoakWorker(CriClient client, Latencies latencies, String imageId, Path logs, String cgroupParent, int worker,
               boolean hostPorts, Set<String> madeIds) {
        this.client = client;
        this.latencies = latencies;
        this.imageId = imageId;
        this.logs = logs;
        this.cgroupParent = cgroupParent;
        this.worker = worker;
        this.hostPorts = hostPorts;
        this.madeIds = madeIds;
    }

    /** One pod through its whole life; throws on anything a kubelet would see as wrong. */
    void churnOnePod(String phase) throws Exception {
        int n = ++serial;
        String name = phase + "-w" + worker + "-" + n;
        LinuxPodSandboxConfig.Builder linux = LinuxPodSandboxConfig.newBuilder().setCgroupParent(cgroupParent);
        if (n % 3 == 0) {
            linux.setSecurityContext(LinuxSandboxSecurityContext.newBuilder()
                    .setNamespaceOptions(NamespaceOption.newBuilder().setPid(NamespaceMode.POD)));
        }
        PodSandboxConfig.Builder pod = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(name).setNamespace("soak").setUid(name))
                .setHostname(name)
                .setLogDirectory(logs.resolve(name).toString())
                .setLinux(linux);
        if (hostPorts && n % 2 == 0) {
            pod.addPortMappings(PortMapping.newBuilder().setProtocol(Protocol.TCP).setContainerPort(8080)
                    .setHostPort(30000 + worker * 1000 + n % 1000).setHostIp("127.0.0.1"));
        }
        PodSandboxConfig config = pod.build();
        String podId = latencies.time("RunPodSandbox", () -> client.runtime()
                .runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(config).build()).getPodSandboxId());
        madeIds.add(podId);

        String ok = start(podId, config, "ok", container("ok", "exit 0"));
        String fail = start(podId, config, "fail", container("fail", "exit 1"));
        String oom = start(podId, config, "oom", container("oom", "dd if=/dev/zero of=/dev/null bs=64M count=1")
                .setLinux(LinuxContainerConfig.newBuilder().setResources(LinuxContainerResources.newBuilder()
                        .setMemoryLimitInBytes(16L << 20))));
        String stubborn = start(podId, config, "stubborn",
                container("stubborn", "trap '' TERM; echo trapped; while :; do sleep 1; done"));
        String chatty = start(podId, config, "chatty", container("chatty",
                "i=0; while [ $i -lt " + CHATTY_LINES + " ]; do echo line $i; i=$((i+1)); done; exec sleep 3600"));
        String probe = start(podId, config, "probe", container("probe", "exec sleep 3600"));

        for (int i = 0; i < 3; i++) {
            ExecSyncResponse answer = latencies.time("ExecSync", () -> client.runtime().execSync(ExecSyncRequest
                    .newBuilder().setContainerId(probe).addAllCmd(List.of("cat", "/etc/hostname")).setTimeout(20)
                    .build()));
            expect(answer.getExitCode() == 0 && answer.getStdout().toStringUtf8().equals(name + "\n"),
                    "probe of " + name + ": " + answer);
        }
        expectExit(ok, s -> s.getExitCode() == 0 && s.getReason().equals("Completed"), "exit 0");
        expectExit(fail, s -> s.getExitCode() == 1 && s.getReason().equals("Error"), "exit 1");
        expectExit(oom, s -> s.getReason().equals("OOMKilled") && s.getExitCode() == 137, "OOMKilled 137");
        Path chattyLog = logs.resolve(name).resolve("chatty.log");
        try {
            await(() -> lineCount(chattyLog) >= CHATTY_LINES, "all " + CHATTY_LINES + " lines of " + chattyLog);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + " (has " + lineCount(chattyLog) + ")", e);
        }
        expect(lineCount(chattyLog) == CHATTY_LINES, "exactly " + CHATTY_LINES + " lines in " + chattyLog);
        Path stubbornLog = logs.resolve(name).resolve("stubborn.log");
        await(() -> Files.exists(stubbornLog) && Files.readString(stubbornLog).contains("trapped"),
                "stubborn trapped SIGTERM");

        long stopStarted = System.nanoTime();
        latencies.time("StopContainer", () -> client.runtime().stopContainer(StopContainerRequest.newBuilder()
                .setContainerId(stubborn).setTimeout(STOP_TIMEOUT_SECONDS).build()));
        long stopMillis = (System.nanoTime() - stopStarted) / 1_000_000;
        ContainerStatus stopped = status(stubborn);
        expect(stopped.getState() == ContainerState.CONTAINER_EXITED && stopped.getExitCode() == 137
                && stopMillis >= STOP_TIMEOUT_SECONDS * 1000L,
                "stubborn was killed after its stop timeout: " + stopMillis + " ms, " + stopped.getExitCode());

        latencies.time("StopPodSandbox", () -> client.runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder()
                .setPodSandboxId(podId).build()));
        expect(status(chatty).getState() == ContainerState.CONTAINER_EXITED, "chatty stopped with its pod");
        latencies.time("RemovePodSandbox", () -> client.runtime().removePodSandbox(RemovePodSandboxRequest
                .newBuilder().setPodSandboxId(podId).build()));
    }

    private ContainerConfig.Builder container(String name, String script) {
        return ContainerConfig.newBuilder()
                .setMetadata(ContainerMetadata.newBuilder().setName(name))
                .setImage(ImageSpec.newBuilder().setImage(imageId))
                .addAllCommand(List.of("sh", "-c", script))
                .setLogPath(name + ".log");
    }

    private String start(String podId, PodSandboxConfig pod, String name, ContainerConfig.Builder config) {
        String id = latencies.time("CreateContainer", () -> client.runtime().createContainer(CreateContainerRequest
                .newBuilder().setPodSandboxId(podId).setSandboxConfig(pod).setConfig(config).build())
                .getContainerId());
        madeIds.add(id);
        latencies.time("StartContainer", () -> client.runtime().startContainer(StartContainerRequest.newBuilder()
                .setContainerId(id).build()));
        return id;
    }

    private void expectExit(String id, Predicate<ContainerStatus> expected, String what) throws Exception {
        await(() -> status(id).getState() == ContainerState.CONTAINER_EXITED, "container " + id + " exits");
        ContainerStatus status = status(id);
        expect(expected.test(status), "container " + status.getMetadata().getName() + ": expected " + what
                + ", got exit " + status.getExitCode() + " reason " + status.getReason());
    }

    private ContainerStatus status(String id) {
        return client.runtime().containerStatus(ContainerStatusRequest.newBuilder().setContainerId(id).build())
                .getStatus();
    }

    /**
     * Whole lines logged: conmon writes a line that a read cut in two as a partial ("P") entry followed by the rest
     * ("F"), so entries are joined up to each full one.
     */
    private static long lineCount(Path log) throws Exception {
        if (!Files.exists(log)) {
            return 0;
        }
        long count = 0;
        StringBuilder line = new StringBuilder();
        for (String entry : Files.readAllLines(log)) {
            String[] fields = entry.split(" ", 4);
            if (fields.length < 3 || !fields[1].equals("stdout")) {
                continue;
            }
            line.append(fields.length == 4 ? fields[3] : "");
            if (fields[2].equals("F")) {
                if (line.toString().matches("line \\d+")) {
                    count++;
                }
                line.setLength(0);
            }
        }
        return count;
    }

    interface Check {
        boolean holds() throws Exception;
    }

    private static void await(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 60 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static void expect(boolean holds, String what) {
        if (!holds) {
            throw new AssertionError(what);
        }
    }
}
