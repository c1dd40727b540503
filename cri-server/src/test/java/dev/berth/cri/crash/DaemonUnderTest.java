package dev.berth.cri.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.cri.testing.BerthProcess;
import dev.berth.cri.testing.Leftovers;
import dev.berth.cri.testing.TestNetwork;
import dev.berth.proto.runtime.v1.ListPodSandboxRequest;
import dev.berth.proto.runtime.v1.RemovePodSandboxRequest;
import dev.berth.proto.runtime.v1.StatusRequest;
import dev.berth.proto.runtime.v1.StopPodSandboxRequest;
import dev.berth.proto.runtime.v1.VersionRequest;
import dev.berth.testing.cri.CriClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A berth daemon in a JVM of its own (so SIGKILL takes only the daemon) on a test's own socket, storage root, runtime
 * state directory, bridge, subnet and cgroup parent, restarted on the same directories as a node would restart it.
 */
public final class DaemonUnderTest implements AutoCloseable {

    public final TestNetwork network = TestNetwork.random();
    public final String cgroupParent = "/berth-crash-" + Long.toHexString(System.nanoTime());
    public final Path home;
    public final Path root;
    public final Path state;
    public final Path logs;
    private final Path config;
    private Process process;

    public DaemonUnderTest(String registryAddress, String extraToml) throws Exception {
        home = Files.createTempDirectory("berth-crash-");
        root = home.resolve("root");
        logs = home.resolve("logs");
        state = Files.createTempDirectory(Path.of("/run"), "bc");
        config = home.resolve("config.toml");
        Files.writeString(config, """
                [server]
                socket = "%s"
                [storage]
                root = "%s"
                state = "%s"
                [metrics]
                address = ""
                [registry."%s"]
                insecure = true
                %s
                %s
                """.formatted(home.resolve("berth.sock"), root, state, registryAddress,
                network.toml(home.resolve("cni-conf").toString()), extraToml));
    }

    public Path socket() {
        return home.resolve("berth.sock");
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** Starts the daemon and waits until it answers Version. */
    public void start() throws Exception {
        long startedBefore = startedLines();
        process = BerthProcess.start(home, "serve", "--config", config.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline && process.isAlive() && startedLines() <= startedBefore) {
            Thread.sleep(10);
        }
        if (!process.isAlive() || startedLines() <= startedBefore) {
            throw new AssertionError("daemon did not start: " + stderrTail());
        }
        // As the kubelet does: Version, then Status, which answers once the pod network's setup is done.
        try (CriClient client = connect()) {
            client.runtime().version(VersionRequest.getDefaultInstance());
            client.runtime().status(StatusRequest.getDefaultInstance());
        }
    }

    /** SIGKILL: no cleanup, no last words; returns once the process is gone. */
    public void kill() throws Exception {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("daemon survived SIGKILL");
        }
    }

    /** SIGTERM and wait for the exit. */
    public void stop() throws Exception {
        if (alive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    public CriClient connect() {
        return CriClient.connect(socket());
    }

    public String stderrTail() {
        try {
            String text = Files.readString(home.resolve("stderr"));
            return text.length() > 6000 ? text.substring(text.length() - 6000) : text;
        } catch (Exception e) {
            return "";
        }
    }

    private long startedLines() throws Exception {
        Path log = home.resolve("stderr");
        if (!Files.exists(log)) {
            return 0;
        }
        try (var lines = Files.lines(log)) {
            return lines.filter(l -> l.contains("berth started")).count();
        }
    }

    /**
     * A test's end: starts the daemon again if the test left it dead, stops and removes every pod through CRI, stops
     * the daemon and fails if any pod mount, process or pod cgroup of this daemon is left on the host.
     */
    public void removeAllPodsAndCheckNothingLeft() throws Exception {
        if (!alive()) {
            start();
        }
        try (CriClient client = connect()) {
            client.runtime().listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsList()
                    .forEach(pod -> {
                        client.runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder()
                                .setPodSandboxId(pod.getId()).build());
                        client.runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder()
                                .setPodSandboxId(pod.getId()).build());
                    });
        }
        stop();
        assertEquals(List.of(), Leftovers.podMountsUnder(home, state), "pod mounts left behind");
        assertEquals(List.of(), Leftovers.processesUsing(home, state), "processes left behind");
        assertEquals(List.of(), Leftovers.podCgroupsUnder(cgroupParent), "pod cgroups left behind");
    }

    /** Removes the test's directories, bridge and cgroup parent; per-pod leftovers are asserted before this. */
    @Override
    public void close() throws Exception {
        try {
            if (alive()) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        } finally {
            // Only a failed test leaves something here: the leak was reported, it is not left on the host too.
            Leftovers.killProcessesUsing(home, state);
            network.remove();
            Leftovers.removeDirectory(state);
            Leftovers.removeDirectory(home);
            Leftovers.removeCgroupParent(cgroupParent);
        }
    }
}
