package dev.berth.bench.scenario;

import dev.berth.bench.RuntimeUnderTest;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerMetadata;
import dev.berth.proto.runtime.v1.DNSConfig;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.LinuxSandboxSecurityContext;
import dev.berth.proto.runtime.v1.NamespaceMode;
import dev.berth.proto.runtime.v1.NamespaceOption;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.SecurityProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** Pod and container configs shaped like the kubelet's: labels, log directory, cgroup parent, DNS, namespaces. */
final class PodConfigs {

    static final String NAMESPACE = "berth-bench";

    private PodConfigs() {
    }

    /** A pod on the pod network with its own log directory (created here: the kubelet creates it, not the runtime). */
    static PodSandboxConfig pod(RuntimeUnderTest runtime, String name) {
        String uid = UUID.randomUUID().toString();
        Path logDirectory = runtime.clientDir().resolve("pods").resolve(NAMESPACE + "_" + name + "_" + uid);
        try {
            Files.createDirectories(logDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + logDirectory, e);
        }
        return PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(name).setUid(uid).setNamespace(NAMESPACE)
                        .setAttempt(0))
                .setHostname(name)
                .setLogDirectory(logDirectory.toString())
                .setDnsConfig(DNSConfig.newBuilder().addServers("10.96.0.10")
                        .addSearches(NAMESPACE + ".svc.cluster.local").addSearches("svc.cluster.local")
                        .addOptions("ndots:5"))
                .putLabels("io.kubernetes.pod.name", name)
                .putLabels("io.kubernetes.pod.namespace", NAMESPACE)
                .putLabels("io.kubernetes.pod.uid", uid)
                .putAnnotations("kubernetes.io/config.source", "api")
                .setLinux(LinuxPodSandboxConfig.newBuilder()
                        .setCgroupParent(runtime.cgroupParent())
                        .setSecurityContext(LinuxSandboxSecurityContext.newBuilder()
                                .setNamespaceOptions(NamespaceOption.newBuilder()
                                        .setNetwork(NamespaceMode.POD)
                                        .setPid(NamespaceMode.CONTAINER)
                                        .setIpc(NamespaceMode.POD))))
                .build();
    }

    /** busybox {@code sleep 3600}: runs until killed, ignores SIGTERM as PID 1 (StopContainer uses timeout 0). */
    static ContainerConfig sleeper(String name, String image) {
        return ContainerConfig.newBuilder()
                .setMetadata(ContainerMetadata.newBuilder().setName(name).setAttempt(0))
                .setImage(ImageSpec.newBuilder().setImage(image))
                .addCommand("/bin/sleep")
                .addArgs("3600")
                .setLogPath(name + "_0.log")
                // What the kubelet sends for a pod without seccompProfile (--seccomp-default off): without it the
                // runtimes would apply different defaults (containerd none, berth and CRI-O RuntimeDefault).
                .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(
                        LinuxContainerSecurityContext.newBuilder().setSeccomp(SecurityProfile.newBuilder()
                                .setProfileType(SecurityProfile.ProfileType.Unconfined))))
                .putLabels("io.kubernetes.container.name", name)
                .putAnnotations("io.kubernetes.container.restartCount", "0")
                .build();
    }
}
