package dev.berth.bench;

import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerMetadata;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.LinuxSandboxSecurityContext;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.proto.runtime.v1.RemovePodSandboxRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.StartContainerRequest;
import dev.berth.proto.runtime.v1.StopPodSandboxRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Sends the same CRI requests to a private containerd and a private berth, one after the other, and copies the OCI
 * config.json each wrote for a plain container and for a privileged one into an output directory
 * ({@code <runtime>-plain.json}, {@code <runtime>-privileged.json}), for docs/oci-spec.md.
 *
 * <p>Usage: {@code SpecDumpMain --repo DIR --out DIR}
 */
public final class SpecDumpMain {

    private SpecDumpMain() {
    }

    public static void main(String[] args) throws IOException {
        Path repository = Path.of(".");
        Path out = Path.of("oci-spec");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--repo" -> repository = Path.of(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Files.createDirectories(out);
        try (BenchImages images = BenchImages.push(false)) {
            try (RuntimeUnderTest containerd = ContainerdInstance.start(images.registryAddress(),
                    images.pause().reference(), Optional.empty())) {
                dump(containerd, "containerd", images, out);
            }
            try (RuntimeUnderTest berth = BerthInstance.start(repository.toAbsolutePath().normalize(),
                    images.registryAddress(), Optional.empty(), false, "info")) {
                dump(berth, "berth", images, out);
            }
        }
    }

    private static void dump(RuntimeUnderTest runtime, String name, BenchImages images, Path out) {
        CriEndpoint cri = runtime.endpoint();
        cri.images().pullImage(PullImageRequest.newBuilder()
                .setImage(ImageSpec.newBuilder().setImage(images.busybox().reference())).build());
        PodSandboxConfig pod = pod(runtime);
        String podId = cri.runtime().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(pod).build())
                .getPodSandboxId();
        try {
            for (String kind : List.of("plain", "privileged")) {
                ContainerConfig config = container(kind, images.busybox().reference(), kind.equals("privileged"));
                String id = cri.runtime().createContainer(CreateContainerRequest.newBuilder().setPodSandboxId(podId)
                        .setSandboxConfig(pod).setConfig(config).build()).getContainerId();
                // containerd writes its bundle only when the task starts.
                cri.runtime().startContainer(StartContainerRequest.newBuilder().setContainerId(id).build());
                Files.copy(runtime.ociConfig(id), out.resolve(name + "-" + kind + ".json"),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            cri.runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
            cri.runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
        }
    }

    /** A privileged pod (so it may hold the privileged container) on the pod network. */
    private static PodSandboxConfig pod(RuntimeUnderTest runtime) {
        String uid = UUID.randomUUID().toString();
        Path logs = runtime.clientDir().resolve("pods").resolve(uid);
        try {
            Files.createDirectories(logs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("spec").setNamespace("default").setUid(uid))
                .setHostname("spec")
                .setLogDirectory(logs.toString())
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(runtime.cgroupParent())
                        .setSecurityContext(LinuxSandboxSecurityContext.newBuilder().setPrivileged(true)))
                .build();
    }

    /** What the kubelet sends for a container without a securityContext, or with privileged: true. */
    private static ContainerConfig container(String name, String image, boolean privileged) {
        return ContainerConfig.newBuilder()
                .setMetadata(ContainerMetadata.newBuilder().setName(name))
                .setImage(ImageSpec.newBuilder().setImage(image))
                .addCommand("/bin/sleep").addArgs("3600")
                .setLogPath(name + "_0.log")
                .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(LinuxContainerSecurityContext
                        .newBuilder().setPrivileged(privileged)))
                .build();
    }
}
