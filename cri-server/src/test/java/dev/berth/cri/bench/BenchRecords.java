package dev.berth.cri.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.net.DnsSettings;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.LinuxContainerResources;
import dev.berth.proto.runtime.v1.Mount;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.runtime.container.ContainerConfigs;
import dev.berth.runtime.container.ContainerRecord;
import dev.berth.runtime.container.ContainerRegistry;
import dev.berth.runtime.container.ContainerState;
import dev.berth.runtime.container.ProcessUser;
import dev.berth.runtime.sandbox.SandboxConfigs;
import dev.berth.runtime.sandbox.SandboxRecord;
import dev.berth.runtime.sandbox.SandboxRegistry;
import dev.berth.runtime.sandbox.SandboxState;
import dev.berth.runtime.store.RecordStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Registries filled like a busy node's: pods of {@code perPod} containers with kubelet-style labels, annotations,
 * mounts and limits. Records are served from memory as after a restart (nothing written).
 */
final class BenchRecords {

    final SandboxRegistry sandboxes;
    final ContainerRegistry containers;

    private BenchRecords(SandboxRegistry sandboxes, ContainerRegistry containers) {
        this.sandboxes = sandboxes;
        this.containers = containers;
    }

    static BenchRecords of(Path dir, int containerCount, int perPod) {
        ObjectMapper mapper = new ObjectMapper();
        SandboxRegistry sandboxes = new SandboxRegistry(new RecordStore<>(dir.resolve("sandboxes"),
                SandboxRecord.class, mapper));
        ContainerRegistry containers = new ContainerRegistry(new RecordStore<>(dir.resolve("containers"),
                ContainerRecord.class, mapper));
        long now = System.currentTimeMillis() * 1_000_000L;
        String sandboxId = null;
        for (int i = 0; i < containerCount; i++) {
            if (i % perPod == 0) {
                sandboxId = id("a", i);
                String uid = "0f6c1b2e-4a7d-4c1e-9d3b-" + String.format("%012d", i);
                PodSandboxConfig config = PodSandboxConfig.newBuilder()
                        .setMetadata(PodSandboxMetadata.newBuilder().setName("web-" + i).setNamespace("default")
                                .setUid(uid))
                        .putLabels("io.kubernetes.pod.name", "web-" + i)
                        .putLabels("io.kubernetes.pod.namespace", "default")
                        .putLabels("io.kubernetes.pod.uid", uid)
                        .putLabels("app", "web")
                        .putAnnotations("kubernetes.io/config.source", "api")
                        .build();
                sandboxes.restore(SandboxRecord.builder().id(sandboxId)
                        .metadata(SandboxConfigs.metadata(config.getMetadata()))
                        .state(SandboxState.READY).createdAt(now + i).runtimeHandler("runc")
                        .hostname("web-" + i).logDirectory("/var/log/pods/default_web-" + i + "_" + uid)
                        .dns(new DnsSettings(List.of("10.96.0.10"), List.of("default.svc.cluster.local"),
                                List.of("ndots:5")))
                        .portMappings(List.of()).labels(config.getLabelsMap())
                        .annotations(config.getAnnotationsMap()).cgroupParent("/kubepods/burstable/pod" + uid)
                        .namespaces(SandboxConfigs.namespaces(config)).sysctls(Map.of())
                        .ip("10.88.0." + (i % 250 + 2)).additionalIps(List.of()).fingerprint("f" + i)
                        .networkAttached(true).config(config).build());
            }
            ContainerConfig config = ContainerConfig.newBuilder()
                    .setImage(ImageSpec.newBuilder().setImage("docker.io/library/nginx:1.27"))
                    .addMounts(Mount.newBuilder().setContainerPath("/var/run/secrets/kubernetes.io/serviceaccount")
                            .setHostPath("/var/lib/kubelet/pods/x/volumes/kube-api-access").setReadonly(true))
                    .addMounts(Mount.newBuilder().setContainerPath("/etc/hosts")
                            .setHostPath("/var/lib/kubelet/pods/x/etc-hosts"))
                    .addMounts(Mount.newBuilder().setContainerPath("/dev/termination-log")
                            .setHostPath("/var/lib/kubelet/pods/x/containers/c/term"))
                    .build();
            containers.restore(ContainerRecord.builder().id(id("c", i)).sandboxId(sandboxId).name("c" + i)
                    .attempt(0).state(i % 10 == 9 ? ContainerState.EXITED : ContainerState.RUNNING)
                    .image(ContainerConfigs.image(config)).imageRef("docker.io/library/nginx@sha256:" + hex(i))
                    .imageId("sha256:" + hex(i)).createdAt(now + i).startedAt(now + i + 1)
                    .labels(Map.of("io.kubernetes.container.name", "c" + i, "io.kubernetes.pod.name", "web",
                            "io.kubernetes.pod.namespace", "default", "io.kubernetes.pod.uid", "u" + i))
                    .annotations(Map.of("io.kubernetes.container.hash", "5d6b8f7e",
                            "io.kubernetes.container.restartCount", "0",
                            "io.kubernetes.container.terminationMessagePath", "/dev/termination-log"))
                    .mounts(ContainerConfigs.mounts(config.getMountsList()))
                    .logPath("/var/log/pods/default_web/c" + i + "/0.log")
                    .resources(ContainerConfigs.resources(LinuxContainerResources.newBuilder()
                            .setCpuShares(102).setCpuQuota(50000).setCpuPeriod(100000)
                            .setMemoryLimitInBytes(256L << 20).build()))
                    .user(new ProcessUser(101, 101, List.of())).stopSignal("SIGTERM").runtimeHandler("runc")
                    .cgroupsPath("/kubepods/burstable/pod/berth-" + i).pid(10000 + i).fingerprint("f" + i)
                    .build());
        }
        return new BenchRecords(sandboxes, containers);
    }

    private static String id(String prefix, int i) {
        return prefix + String.format("%063d", i);
    }

    private static String hex(int i) {
        return String.format("%064x", i);
    }
}
