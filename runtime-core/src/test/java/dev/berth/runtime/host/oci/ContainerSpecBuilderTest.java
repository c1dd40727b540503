package dev.berth.runtime.host.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.Capability;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerMetadata;
import dev.berth.proto.runtime.v1.Device;
import dev.berth.proto.runtime.v1.HugepageLimit;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.Int64Value;
import dev.berth.proto.runtime.v1.KeyValue;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerResources;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.Mount;
import dev.berth.proto.runtime.v1.MountPropagation;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.SecurityProfile;
import dev.berth.runtime.host.cgroup.CgroupDriver;
import dev.berth.runtime.host.cgroup.CgroupLayout;
import dev.berth.runtime.host.files.SandboxFilePaths;
import dev.berth.runtime.host.ns.PinnedNamespaces;
import dev.berth.common.fs.MountTable;
import dev.berth.runtime.testing.BusyboxRootfs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerSpecBuilderTest {

    static final String HYBRID_MOUNTINFO = String.join("\n",
            "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
            "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct",
            "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
            "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd",
            "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw");

    @TempDir
    Path tmp;
    Path rootfs;
    ContainerSpecBuilder builder;
    ImageDefaults image = new ImageDefaults(List.of("/entry"), List.of("cmd1", "cmd2"),
            List.of("PATH=/image/bin", "IMG=1", "SHARED=image"), "/work", "", "SIGTERM", "docker.io/library/x:1");

    @BeforeEach
    void setUp() throws IOException {
        rootfs = Files.createDirectories(tmp.resolve("rootfs/etc"));
        rootfs = tmp.resolve("rootfs");
        Files.writeString(rootfs.resolve("etc/passwd"), BusyboxRootfs.PASSWD);
        Files.writeString(rootfs.resolve("etc/group"), BusyboxRootfs.GROUP);
        builder = new ContainerSpecBuilder(CgroupDriver.CGROUPFS,
                CgroupLayout.from(MountTable.parse(HYBRID_MOUNTINFO)), 0);
    }

    ContainerConfig.Builder config() {
        return ContainerConfig.newBuilder()
                .setMetadata(ContainerMetadata.newBuilder().setName("app"))
                .setImage(ImageSpec.newBuilder().setImage("x:1"));
    }

    SandboxContext sandbox() {
        PodSandboxConfig pod = PodSandboxConfig.newBuilder().setHostname("pod-host")
                .setMetadata(PodSandboxMetadata.newBuilder().setName("p").setNamespace("ns").setUid("u-1"))
                .build();
        return new SandboxContext("sb1", pod, new PinnedNamespaces("sb1", Path.of("/run/berth/ns/net/sb1"),
                Path.of("/run/berth/ns/ipc/sb1"), Path.of("/run/berth/ns/uts/sb1")), "/kubepods/pod1",
                SandboxFilePaths.in(Path.of("/var/lib/berth/sandboxes/sb1")), Path.of("/run/berth/shm/sb1"));
    }

    OciSpec build(ContainerConfig.Builder config) {
        return builder.build(new ContainerSpecRequest("c1", config.build(), image, rootfs, sandbox(),
                PidMode.CONTAINER, null));
    }

    static ContainerConfig.Builder withSecurity(ContainerConfig.Builder config,
            LinuxContainerSecurityContext.Builder security) {
        return config.setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(security));
    }

    // --- command and args --------------------------------------------------------------------------------------

    @Test
    void noCommandNoArgsRunsImageEntrypointAndCmd() {
        assertEquals(List.of("/entry", "cmd1", "cmd2"), build(config()).process().args());
    }

    @Test
    void argsAloneReplaceCmdAndKeepEntrypoint() {
        assertEquals(List.of("/entry", "a"), build(config().addArgs("a")).process().args());
    }

    @Test
    void commandReplacesEntrypointAndDropsImageCmd() {
        assertEquals(List.of("/bin/sh"), build(config().addCommand("/bin/sh")).process().args());
        assertEquals(List.of("/bin/sh", "-c", "x"),
                build(config().addCommand("/bin/sh").addArgs("-c").addArgs("x")).process().args());
    }

    @Test
    void nothingToRunIsInvalid() {
        image = ImageDefaults.empty();
        BerthException e = assertThrows(BerthException.class, () -> build(config()));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, e.kind());
    }

    // --- env, cwd ------------------------------------------------------------------------------------------------

    @Test
    void envMergesImageThenConfigByName() {
        List<String> env = build(config().addEnvs(KeyValue.newBuilder().setKey("SHARED").setValue("config"))
                .addEnvs(KeyValue.newBuilder().setKey("NEW").setValue("v=1"))).process().env();
        assertEquals(List.of("HOSTNAME=pod-host", "PATH=/image/bin", "IMG=1", "SHARED=config", "NEW=v=1"), env);
    }

    @Test
    void pathDefaultsWhenNobodySetsIt() {
        image = new ImageDefaults(List.of(), List.of("x"), List.of(), "", "", "", "");
        List<String> env = build(config().setTty(true)).process().env();
        assertTrue(env.contains("PATH=" + ContainerSpecBuilder.DEFAULT_PATH));
        assertTrue(env.contains("TERM=xterm"));
    }

    @Test
    void workingDirFromConfigThenImageThenRoot() {
        assertEquals("/work", build(config()).process().cwd());
        assertEquals("/srv", build(config().setWorkingDir("/srv")).process().cwd());
        image = new ImageDefaults(List.of(), List.of("x"), List.of(), "", "", "", "");
        assertEquals("/", build(config()).process().cwd());
    }

    // --- user ----------------------------------------------------------------------------------------------------

    @Test
    void imageUserByNameResolvesFromRootfsPasswdAndGroups() {
        image = new ImageDefaults(List.of(), List.of("x"), List.of(), "", "berth", "", "");
        OciSpec.User user = build(config()).process().user();
        assertEquals(1000, user.uid());
        assertEquals(1000, user.gid());
        assertEquals(List.of(1000L, 29L, 50L), user.additionalGids());
    }

    @Test
    void imageUserWithGroupNameAndNumbers() {
        image = new ImageDefaults(List.of(), List.of("x"), List.of(), "", "berth:staff", "", "");
        assertEquals(50, build(config()).process().user().gid());
        image = new ImageDefaults(List.of(), List.of("x"), List.of(), "", "4242:4343", "", "");
        OciSpec.User user = build(config()).process().user();
        assertEquals(4242, user.uid());
        assertEquals(4343, user.gid());
    }

    @Test
    void runAsUserWinsAndUnknownUidGetsGidZero() {
        image = new ImageDefaults(List.of(), List.of("x"), List.of(), "", "berth", "", "");
        OciSpec.User user = build(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setRunAsUser(Int64Value.newBuilder().setValue(5000)))).process().user();
        assertEquals(5000, user.uid());
        assertEquals(0, user.gid());
        assertEquals(List.of(0L), user.additionalGids());
    }

    @Test
    void runAsUsernameRunAsGroupAndSupplementalGroups() {
        OciSpec.User user = build(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setRunAsUsername("berth").setRunAsGroup(Int64Value.newBuilder().setValue(7))
                .addSupplementalGroups(900))).process().user();
        assertEquals(1000, user.uid());
        assertEquals(7, user.gid());
        assertEquals(List.of(7L, 29L, 50L, 900L), user.additionalGids());
    }

    @Test
    void strictSupplementalGroupsIgnoreImageGroups() {
        OciSpec.User user = build(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setRunAsUsername("berth").addSupplementalGroups(900)
                .setSupplementalGroupsPolicy(dev.berth.proto.runtime.v1.SupplementalGroupsPolicy.Strict)))
                .process().user();
        assertEquals(List.of(1000L, 900L), user.additionalGids());
    }

    @Test
    void unknownUserNameIsInvalid() {
        image = new ImageDefaults(List.of(), List.of("x"), List.of(), "", "ghost", "", "");
        BerthException e = assertThrows(BerthException.class, () -> build(config()));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("ghost"));
    }

    @Test
    void passwdSymlinkResolvesInsideRootfs() throws IOException {
        Path etc = rootfs.resolve("etc");
        Files.move(etc.resolve("passwd"), rootfs.resolve("passwd.real"));
        Files.createSymbolicLink(etc.resolve("passwd"), Path.of("/passwd.real"));
        image = new ImageDefaults(List.of(), List.of("x"), List.of(), "", "berth", "", "");
        assertEquals(1000, build(config()).process().user().uid());
    }

    // --- capabilities, privileged, seccomp -----------------------------------------------------------------------

    @Test
    void defaultCapabilitiesAddAndDrop() {
        OciSpec.Capabilities caps = build(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setCapabilities(Capability.newBuilder().addAddCapabilities("NET_ADMIN")
                        .addDropCapabilities("CAP_MKNOD")))).process().capabilities();
        assertTrue(caps.bounding().contains("CAP_NET_ADMIN"));
        assertTrue(caps.bounding().contains("CAP_CHOWN"));
        assertFalse(caps.bounding().contains("CAP_MKNOD"));
        assertEquals(caps.bounding(), caps.effective());
        assertEquals(caps.bounding(), caps.permitted());
        assertEquals(List.of(), caps.inheritable());
    }

    @Test
    void dropAllThenAdd() {
        OciSpec.Capabilities caps = build(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setCapabilities(Capability.newBuilder().addDropCapabilities("ALL")
                        .addAddCapabilities("NET_BIND_SERVICE")))).process().capabilities();
        assertEquals(List.of("CAP_NET_BIND_SERVICE"), caps.bounding());
        OciSpec.Capabilities all = build(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setCapabilities(Capability.newBuilder().addAddCapabilities("ALL").addDropCapabilities("SYS_ADMIN"))))
                .process().capabilities();
        assertTrue(all.bounding().contains("CAP_SYS_PTRACE"));
        assertFalse(all.bounding().contains("CAP_SYS_ADMIN"));
    }

    @Test
    void unknownCapabilityIsInvalid() {
        assertThrows(BerthException.class, () -> build(withSecurity(config(), LinuxContainerSecurityContext
                .newBuilder().setCapabilities(Capability.newBuilder().addAddCapabilities("FLY")))));
    }

    @Test
    void runtimeDefaultSeccompIsAnAllowList() {
        OciSpec.Seccomp seccomp = build(config()).linux().seccomp();
        assertNotNull(seccomp);
        assertEquals("SCMP_ACT_ERRNO", seccomp.defaultAction());
        List<String> allowed = seccomp.syscalls().stream().filter(s -> s.args() == null
                && s.action().equals("SCMP_ACT_ALLOW")).flatMap(s -> s.names().stream()).toList();
        assertTrue(allowed.contains("read"));
        assertTrue(allowed.contains("execve"));
        assertFalse(allowed.contains("mount"));
        assertFalse(allowed.contains("kexec_load"));
        assertFalse(allowed.contains("unshare"));
    }

    @Test
    void capabilityGatedSyscallsFollowCapabilities() {
        OciSpec.Seccomp seccomp = build(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setCapabilities(Capability.newBuilder().addAddCapabilities("SYS_ADMIN")))).linux().seccomp();
        assertTrue(seccomp.syscalls().stream().anyMatch(s -> s.names().contains("mount")
                && s.action().equals("SCMP_ACT_ALLOW")));
    }

    @Test
    void unconfinedSeccompAndPrivilegedHaveNoFilter() {
        assertNull(build(withSecurity(config(), LinuxContainerSecurityContext.newBuilder().setSeccomp(
                SecurityProfile.newBuilder().setProfileType(SecurityProfile.ProfileType.Unconfined))))
                .linux().seccomp());
        OciSpec privileged = build(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setPrivileged(true)));
        assertNull(privileged.linux().seccomp());
        assertEquals(List.of(), privileged.linux().maskedPaths());
        assertEquals(List.of(), privileged.linux().readonlyPaths());
        assertEquals(LinuxCapabilities.ALL, privileged.process().capabilities().bounding());
        assertTrue(privileged.linux().resources().devices().get(0).allow());
        assertTrue(privileged.mounts().stream().anyMatch(m -> m.destination().equals("/sys")
                && m.options().contains("rw")));
    }

    @Test
    void localhostSeccompProfileIsLoaded() throws IOException {
        Path profile = tmp.resolve("profile.json");
        Files.writeString(profile, "{\"defaultAction\":\"SCMP_ACT_LOG\",\"syscalls\":[{\"names\":[\"read\"],"
                + "\"action\":\"SCMP_ACT_ALLOW\"}],\"unknownField\":1}");
        OciSpec.Seccomp seccomp = build(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setSeccomp(SecurityProfile.newBuilder().setProfileType(SecurityProfile.ProfileType.Localhost)
                        .setLocalhostRef(profile.toString())))).linux().seccomp();
        assertEquals("SCMP_ACT_LOG", seccomp.defaultAction());
    }

    @Test
    void maskedAndReadonlyPathsDefaultOrFromConfig() {
        OciSpec spec = build(config());
        assertEquals(ContainerSpecBuilder.DEFAULT_MASKED_PATHS, spec.linux().maskedPaths());
        assertEquals(ContainerSpecBuilder.DEFAULT_READONLY_PATHS, spec.linux().readonlyPaths());
        OciSpec custom = build(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .addMaskedPaths("/proc/x").addReadonlyPaths("/proc/y")));
        assertEquals(List.of("/proc/x"), custom.linux().maskedPaths());
        assertEquals(List.of("/proc/y"), custom.linux().readonlyPaths());
    }

    @Test
    void noNewPrivsAndReadonlyRootfs() {
        OciSpec spec = build(withSecurity(config(), LinuxContainerSecurityContext.newBuilder().setNoNewPrivs(true)
                .setReadonlyRootfs(true)));
        assertEquals(Boolean.TRUE, spec.process().noNewPrivileges());
        assertTrue(spec.root().readonly());
        assertTrue(spec.mounts().stream().filter(m -> m.destination().equals("/etc/hosts")).findFirst()
                .orElseThrow().options().contains("ro"));
    }

    // --- resources -----------------------------------------------------------------------------------------------

    @Test
    void resourcesMapAndOomScoreIsClampedToTheDaemons() {
        ContainerConfig.Builder config = config().setLinux(LinuxContainerConfig.newBuilder().setResources(
                LinuxContainerResources.newBuilder().setCpuShares(512).setCpuQuota(50000).setCpuPeriod(100000)
                        .setCpusetCpus("0").setMemoryLimitInBytes(64 << 20).setOomScoreAdj(-997)
                        .addHugepageLimits(HugepageLimit.newBuilder().setPageSize("2MB").setLimit(0))
                        .putUnified("memory.high", "1")));
        OciSpec spec = build(config);
        OciSpec.Resources r = spec.linux().resources();
        assertEquals(512L, r.cpu().shares());
        assertEquals(50000L, r.cpu().quota());
        assertEquals(100000L, r.cpu().period());
        assertEquals("0", r.cpu().cpus());
        assertEquals(64L << 20, r.memory().limit());
        assertEquals(0, spec.process().oomScoreAdj());
        assertNull(r.unified(), "unified resources are dropped on cgroup v1");
        assertNull(r.hugepageLimits(), "no hugetlb v1 hierarchy in this layout");
        builder = new ContainerSpecBuilder(CgroupDriver.CGROUPFS,
                CgroupLayout.from(MountTable.parse(HYBRID_MOUNTINFO)), -500);
        assertEquals(-500, build(config).process().oomScoreAdj());
        config.getLinuxBuilder().getResourcesBuilder().setOomScoreAdj(1000);
        assertEquals(1000, build(config).process().oomScoreAdj());
    }

    @Test
    void cgroupsPathUnderSandboxParent() {
        assertEquals("/kubepods/pod1/berth-c1", build(config()).linux().cgroupsPath());
        assertEquals("kubepods-pod1.slice:berth:c1", CgroupDriver.SYSTEMD.containerPath("kubepods-pod1.slice", "c1"));
        assertEquals("/berth/berth-c1", CgroupDriver.CGROUPFS.containerPath("", "c1"));
    }

    // --- namespaces, mounts, devices, annotations ---------------------------------------------------------------

    @Test
    void joinsPinnedNamespacesAndGetsOwnPidAndMount() {
        List<OciSpec.Namespace> namespaces = build(config()).linux().namespaces();
        assertEquals(List.of(new OciSpec.Namespace("pid", null),
                new OciSpec.Namespace("network", "/run/berth/ns/net/sb1"),
                new OciSpec.Namespace("ipc", "/run/berth/ns/ipc/sb1"),
                new OciSpec.Namespace("uts", "/run/berth/ns/uts/sb1"),
                new OciSpec.Namespace("mount", null)), namespaces);
    }

    @Test
    void pidModes() {
        ContainerSpecRequest pod = new ContainerSpecRequest("c1", config().build(), image, rootfs, sandbox(),
                PidMode.POD, Path.of("/proc/42/ns/pid"));
        assertEquals(new OciSpec.Namespace("pid", "/proc/42/ns/pid"), builder.build(pod).linux().namespaces().get(0));
        ContainerSpecRequest node = new ContainerSpecRequest("c1", config().build(), image, rootfs, sandbox(),
                PidMode.NODE, null);
        assertTrue(builder.build(node).linux().namespaces().stream().noneMatch(n -> n.type().equals("pid")));
        ContainerSpecRequest target = new ContainerSpecRequest("c1", config().build(), image, rootfs, sandbox(),
                PidMode.TARGET, null);
        assertThrows(BerthException.class, () -> builder.build(target));
    }

    @Test
    void hostNamespacesAreLeftOut() {
        SandboxContext s = sandbox();
        SandboxContext host = new SandboxContext(s.sandboxId(), s.config(), PinnedNamespaces.none("sb1"),
                s.cgroupParent(), s.files(), null);
        OciSpec spec = builder.build(new ContainerSpecRequest("c1", config().build(), image, rootfs, host,
                PidMode.NODE, null));
        assertEquals(List.of(new OciSpec.Namespace("mount", null)), spec.linux().namespaces());
        assertEquals("/dev/shm", spec.mounts().stream().filter(m -> m.destination().equals("/dev/shm"))
                .findFirst().orElseThrow().source());
    }

    @Test
    void standardAndSandboxMounts() {
        List<OciSpec.Mount> mounts = build(config()).mounts();
        List<String> destinations = mounts.stream().map(OciSpec.Mount::destination).toList();
        assertEquals(List.of("/proc", "/dev", "/dev/pts", "/dev/mqueue", "/sys", "/sys/fs/cgroup", "/etc/hostname",
                "/etc/hosts", "/etc/resolv.conf", "/dev/shm"), destinations);
        assertEquals("/run/berth/shm/sb1", mounts.get(9).source());
        assertEquals("/var/lib/berth/sandboxes/sb1/hosts", mounts.get(7).source());
    }

    @Test
    void criMountsOverrideDefaultsResolveSymlinksAndSortParentsFirst() throws IOException {
        Path real = Files.createDirectories(tmp.resolve("data/real"));
        Path link = tmp.resolve("data/link");
        Files.createSymbolicLink(link, real);
        Path hosts = Files.writeString(tmp.resolve("kubelet-hosts"), "x");
        List<OciSpec.Mount> mounts = build(config()
                .addMounts(Mount.newBuilder().setContainerPath("/data/sub").setHostPath(real.toString())
                        .setReadonly(true))
                .addMounts(Mount.newBuilder().setContainerPath("/data").setHostPath(link.toString())
                        .setPropagation(MountPropagation.PROPAGATION_HOST_TO_CONTAINER))
                .addMounts(Mount.newBuilder().setContainerPath("/etc/hosts").setHostPath(hosts.toString())))
                .mounts();
        List<String> destinations = mounts.stream().map(OciSpec.Mount::destination).toList();
        assertEquals(1, destinations.stream().filter(d -> d.equals("/etc/hosts")).count());
        int data = destinations.indexOf("/data");
        int sub = destinations.indexOf("/data/sub");
        assertTrue(data >= 0 && data < sub);
        OciSpec.Mount dataMount = mounts.get(data);
        assertEquals(real.toRealPath().toString(), dataMount.source());
        assertEquals(List.of("rbind", "rslave", "rw"), dataMount.options());
        assertEquals(List.of("rbind", "rprivate", "ro"), mounts.get(sub).options());
        assertEquals(hosts.toString(), mounts.get(destinations.indexOf("/etc/hosts")).source());
    }

    @Test
    void missingHostPathBecomesDirectoryAndRelativeIsInvalid() {
        Path missing = tmp.resolve("made/by/berth");
        build(config().addMounts(Mount.newBuilder().setContainerPath("/m").setHostPath(missing.toString())));
        assertTrue(Files.isDirectory(missing));
        assertThrows(BerthException.class, () -> build(config().addMounts(Mount.newBuilder()
                .setContainerPath("/m").setHostPath("relative"))));
        assertThrows(BerthException.class, () -> build(config().addMounts(Mount.newBuilder()
                .setContainerPath("m").setHostPath("/tmp"))));
    }

    @Test
    void devicesFromConfig() {
        OciSpec spec = build(config().addDevices(Device.newBuilder().setHostPath("/dev/null")
                .setContainerPath("/dev/mynull").setPermissions("rw")));
        OciSpec.Device device = spec.linux().devices().get(0);
        assertEquals("c", device.type());
        assertEquals("/dev/mynull", device.path());
        assertEquals(1, device.major());
        assertEquals(3, device.minor());
        OciSpec.DeviceRule last = spec.linux().resources().devices().get(
                spec.linux().resources().devices().size() - 1);
        assertEquals(new OciSpec.DeviceRule(true, "c", 1L, 3L, "rw"), last);
        assertFalse(spec.linux().resources().devices().get(0).allow(), "deny-all comes first");
    }

    @Test
    void annotationsCarryCriKeysAndConfigAnnotations() {
        Map<String, String> annotations = build(config().putAnnotations("io.kubernetes.container.hash", "abc"))
                .annotations();
        assertEquals("abc", annotations.get("io.kubernetes.container.hash"));
        assertEquals("container", annotations.get("io.kubernetes.cri.container-type"));
        assertEquals("sb1", annotations.get("io.kubernetes.cri.sandbox-id"));
        assertEquals("p", annotations.get("io.kubernetes.cri.sandbox-name"));
        assertEquals("ns", annotations.get("io.kubernetes.cri.sandbox-namespace"));
        assertEquals("u-1", annotations.get("io.kubernetes.cri.sandbox-uid"));
        assertEquals("app", annotations.get("io.kubernetes.cri.container-name"));
        assertEquals("docker.io/library/x:1", annotations.get("io.kubernetes.cri.image-name"));
    }

    @Test
    void serializesWithOciFieldNamesAndWithoutNulls() {
        String json = new String(new OciJson().toBytes(build(config().setTty(true))), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"ociVersion\":\"1.0.2\""), json);
        assertTrue(json.contains("\"terminal\":true"));
        assertTrue(json.contains("\"cgroupsPath\":\"/kubepods/pod1/berth-c1\""));
        assertTrue(json.contains("\"additionalGids\""));
        assertFalse(json.contains("null"), json);
        OciSpec back = new OciJson().fromBytes(json.getBytes(StandardCharsets.UTF_8), OciSpec.class);
        assertEquals(build(config().setTty(true)).process().args(), back.process().args());
    }

    @Test
    void execProcessKeepsIdentityAndEnvironment() {
        OciSpec spec = build(config());
        OciSpec.Process exec = ContainerSpecBuilder.execProcess(spec, List.of("ls", "-l"), false);
        assertEquals(List.of("ls", "-l"), exec.args());
        assertEquals(spec.process().env(), exec.env());
        assertEquals(spec.process().user(), exec.user());
        assertEquals(Optional.of(false), Optional.ofNullable(exec.terminal()));
    }
}
