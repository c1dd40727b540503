package dev.berth.runtime.host.oci.spec;

import dev.berth.common.fs.MountTable;
import dev.berth.common.image.ImageUser;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerMetadata;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.runtime.host.cgroup.CgroupLayout;
import dev.berth.runtime.host.files.SandboxFilePaths;
import dev.berth.runtime.host.ns.PinnedNamespaces;
import dev.berth.runtime.host.oci.BoundingSet;
import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.ImageDefaults;
import dev.berth.runtime.host.oci.OciSpec;
import dev.berth.runtime.host.oci.PidMode;
import dev.berth.runtime.host.oci.SandboxContext;
import dev.berth.runtime.testing.BusyboxRootfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A container request in a pod with pinned namespaces, over a rootfs holding busybox's account files: what the spec
 * steps' tests build on.
 */
public final class SpecFixture {

    public static final String HYBRID_MOUNTINFO = String.join("\n",
            "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
            "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct",
            "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
            "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd",
            "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw");

    /** A node whose root lacks CAP_SYS_RESOURCE (bit 24), like these machines: CapBnd 0x1fffeffffff. */
    public static final BoundingSet NODE = BoundingSet.fromMask(0x1fffeffffffL);

    public final Path rootfs;
    public ImageDefaults image = new ImageDefaults(List.of("/entry"), List.of("cmd1", "cmd2"),
            List.of("PATH=/image/bin", "IMG=1", "SHARED=image"), "/work", ImageUser.UNSET, "SIGTERM", "docker.io/library/x:1");

    public SpecFixture(Path tmp) throws IOException {
        rootfs = tmp.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/passwd"), BusyboxRootfs.PASSWD);
        Files.writeString(rootfs.resolve("etc/group"), BusyboxRootfs.GROUP);
    }

    /** A cgroup v1 + v2 hybrid host without a hugetlb hierarchy, like these machines. */
    public static CgroupLayout hybridLayout() {
        return CgroupLayout.from(MountTable.parse(HYBRID_MOUNTINFO));
    }

    public static ContainerConfig.Builder config() {
        return ContainerConfig.newBuilder()
                .setMetadata(ContainerMetadata.newBuilder().setName("app"))
                .setImage(ImageSpec.newBuilder().setImage("x:1"));
    }

    public static ContainerConfig.Builder withSecurity(ContainerConfig.Builder config,
            LinuxContainerSecurityContext.Builder security) {
        return config.setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(security));
    }

    /** Pod "p" in namespace "ns", hostname "pod-host", with pinned net/IPC/UTS namespaces, files and shm. */
    public static SandboxContext sandbox() {
        PodSandboxConfig pod = PodSandboxConfig.newBuilder().setHostname("pod-host")
                .setMetadata(PodSandboxMetadata.newBuilder().setName("p").setNamespace("ns").setUid("u-1"))
                .build();
        return new SandboxContext("sb1", pod, new PinnedNamespaces("sb1", Path.of("/run/berth/ns/net/sb1"),
                Path.of("/run/berth/ns/ipc/sb1"), Path.of("/run/berth/ns/uts/sb1")), "/kubepods/pod1",
                SandboxFilePaths.in(Path.of("/var/lib/berth/sandboxes/sb1")), Path.of("/run/berth/shm/sb1"));
    }

    /** The same pod in the node's namespaces, with the node's /dev/shm. */
    public static SandboxContext hostSandbox() {
        SandboxContext s = sandbox();
        return new SandboxContext(s.sandboxId(), s.config(), PinnedNamespaces.none("sb1"), s.cgroupParent(),
                s.files(), null);
    }

    public ContainerSpecRequest request(ContainerConfig.Builder config) {
        return request(config, sandbox(), PidMode.CONTAINER, null);
    }

    public ContainerSpecRequest request(ContainerConfig.Builder config, SandboxContext sandbox, PidMode pidMode,
            Path pidNamespace) {
        return new ContainerSpecRequest("c1", config.build(), image, rootfs, sandbox, pidMode, pidNamespace);
    }

    /** The spec these steps alone make of {@code config}; the parts no step wrote are null. */
    public OciSpec apply(ContainerConfig.Builder config, SpecStep... steps) {
        return apply(request(config), steps);
    }

    public static OciSpec apply(ContainerSpecRequest request, SpecStep... steps) {
        OciSpec.Builder spec = OciSpec.builder();
        for (SpecStep step : steps) {
            step.apply(request, spec);
        }
        return spec.build();
    }
}
