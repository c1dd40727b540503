package dev.berth.runtime;

import dev.berth.common.exec.Command;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerMetadata;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.LinuxSandboxSecurityContext;
import dev.berth.proto.runtime.v1.NamespaceMode;
import dev.berth.proto.runtime.v1.NamespaceOption;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.runtime.container.ContainerFilter;
import dev.berth.runtime.container.ContainerRecord;
import dev.berth.runtime.container.ContainerState;
import dev.berth.runtime.host.cgroup.CgroupCleaner;
import dev.berth.runtime.host.cgroup.CgroupLayout;
import dev.berth.runtime.host.sys.Binaries;
import dev.berth.runtime.sandbox.SandboxFilter;
import dev.berth.runtime.sandbox.SandboxRecord;
import dev.berth.runtime.spi.NoNetwork;
import dev.berth.runtime.spi.PodNetworkProvider;
import dev.berth.runtime.spi.RootfsProvider;
import dev.berth.runtime.testing.TestHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * A RuntimeCore on a throw-away host (TestHost: private state dir under /run, private cgroup parent), real runc and
 * conmon, busybox images through real overlay mounts, no pod network. {@link #close()} removes every pod through the
 * API and fails when anything is left: OCI containers, rootfs mounts, processes, mounts, cgroups, pins.
 */
final class RuntimeFixture implements AutoCloseable {

    static final long WAIT_SECONDS = 60;

    final TestHost host = TestHost.create();
    final OverlayRootfsProvider images = new OverlayRootfsProvider(host.dir("img"));
    final RuntimeConfig config;
    private final PodNetworkProvider network;
    private final Function<RootfsProvider, RootfsProvider> rootfsWrapper;
    RuntimeCore core;

    RuntimeFixture() {
        this(new NoNetwork(), Function.identity());
    }

    RuntimeFixture(PodNetworkProvider network, Function<RootfsProvider, RootfsProvider> rootfsWrapper) {
        this.network = network;
        this.rootfsWrapper = rootfsWrapper;
        this.config = RuntimeConfig.defaults().withDirectories(host.stateDir().resolve("lib"), host.stateDir());
        this.core = RuntimeCore.open(config, rootfsWrapper.apply(images), network);
    }

    /** Drops the current core without any cleanup (as a killed daemon would) and opens a new one on the same dirs. */
    RuntimeCore restart() {
        core.close();
        core = RuntimeCore.open(config, rootfsWrapper.apply(images), network);
        return core;
    }

    PodSandboxConfig.Builder pod(String name) {
        return PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(name).setNamespace("default")
                        .setUid("uid-" + name))
                .setHostname(name)
                .setLogDirectory(host.stateDir().resolve("logs").resolve("default_" + name).toString())
                .putLabels("io.kubernetes.pod.name", name)
                .putAnnotations("test.berth.dev/pod", name)
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(host.cgroupParent())
                        .setSecurityContext(LinuxSandboxSecurityContext.newBuilder()
                                .setNamespaceOptions(namespaces(NamespaceMode.CONTAINER))));
    }

    static NamespaceOption namespaces(NamespaceMode pid) {
        return NamespaceOption.newBuilder().setNetwork(NamespaceMode.POD).setPid(pid).setIpc(NamespaceMode.POD)
                .build();
    }

    /** A busybox container running {@code sh -c script}, logging to {@code <name>/0.log}. */
    static ContainerConfig.Builder container(String name, String script) {
        return ContainerConfig.newBuilder()
                .setMetadata(ContainerMetadata.newBuilder().setName(name))
                .setImage(ImageSpec.newBuilder().setImage("busybox"))
                .addCommand("/bin/sh").addCommand("-c").addCommand(script)
                .setLogPath(name + "/0.log")
                .putLabels("io.kubernetes.container.name", name)
                .putAnnotations("io.kubernetes.container.restartCount", "0")
                .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(LinuxContainerSecurityContext
                        .newBuilder().setNamespaceOptions(namespaces(NamespaceMode.CONTAINER))));
    }

    String runPod(String name) {
        return core.sandboxes().run(pod(name).build(), "");
    }

    String createContainer(String sandboxId, ContainerConfig.Builder config) {
        // cri-server passes the kubelet's copy of the pod config; berth uses the one the pod's record keeps.
        return core.containers().create(sandboxId, config.build(), PodSandboxConfig.getDefaultInstance());
    }

    String runContainer(String sandboxId, ContainerConfig.Builder config) {
        String id = createContainer(sandboxId, config);
        core.containers().start(id);
        return id;
    }

    ContainerRecord awaitState(String containerId, ContainerState state) throws InterruptedException {
        eventually("container " + containerId + " " + state,
                () -> core.containers().status(containerId).state() == state);
        return core.containers().status(containerId);
    }

    static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never happened: " + what);
            }
            Thread.sleep(20);
        }
    }

    Path logOf(ContainerRecord container) {
        return Path.of(container.logPath());
    }

    /** The OCI runtime's containers under this fixture's runc root. */
    List<String> ociContainers() {
        Path root = config.stateDir().resolve("oci").resolve("runc");
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        String out = Command.of(Binaries.find("runc").toString(), "--root", root.toString(), "list", "-q").check()
                .stdoutText();
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    @Override
    public void close() {
        List<String> leaks = new ArrayList<>();
        try {
            for (SandboxRecord sandbox : core.sandboxes().list(SandboxFilter.ALL)) {
                core.sandboxes().remove(sandbox.id());
            }
            for (ContainerRecord container : core.containers().list(ContainerFilter.ALL)) {
                core.containers().remove(container.id());
            }
            leaks.addAll(ociContainers().stream().map(id -> "oci container " + id).toList());
            leaks.addAll(images.active().stream().map(id -> "rootfs " + id).toList());
        } finally {
            core.close();
            new CgroupCleaner(CgroupLayout.detect()).removeIfEmpty(host.cgroupParent());
            host.close();
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError("left behind: " + leaks);
        }
    }
}
