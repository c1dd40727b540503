package dev.berth.runtime.host.oci;

import static dev.berth.runtime.host.oci.spec.SpecFixture.config;
import static dev.berth.runtime.host.oci.spec.SpecFixture.withSecurity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.Mount;
import dev.berth.proto.runtime.v1.MountPropagation;
import dev.berth.proto.runtime.v1.SecurityProfile;
import dev.berth.runtime.host.cgroup.CgroupDriver;
import dev.berth.runtime.host.oci.spec.MaskedPathsStep;
import dev.berth.runtime.host.oci.spec.SpecFixture;
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

/** The whole list of steps: what depends on their order and on more than one of them. Each step has its own test. */
class ContainerSpecBuilderTest {

    @TempDir
    Path tmp;
    SpecFixture fixture;
    ContainerSpecBuilder builder;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new SpecFixture(tmp);
        builder = new ContainerSpecBuilder(CgroupDriver.CGROUPFS, SpecFixture.hybridLayout(), 0, SpecFixture.NODE,
                false);
    }

    OciSpec build(ContainerConfig.Builder config) {
        return builder.build(fixture.request(config));
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
    void unconfinedSeccompAndPrivilegedHaveNoFilter() {
        assertNull(build(withSecurity(config(), LinuxContainerSecurityContext.newBuilder().setSeccomp(
                SecurityProfile.newBuilder().setProfileType(SecurityProfile.ProfileType.Unconfined))))
                .linux().seccomp());
        OciSpec privileged = build(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setPrivileged(true)));
        assertNull(privileged.linux().seccomp());
        assertEquals(List.of(), privileged.linux().maskedPaths());
        assertEquals(List.of(), privileged.linux().readonlyPaths());
        assertEquals(SpecFixture.NODE.capabilities(), privileged.process().capabilities().bounding());
        assertTrue(privileged.linux().resources().devices().get(0).allow());
        assertTrue(privileged.mounts().stream().anyMatch(m -> m.destination().equals("/sys")
                && m.options().contains("rw")));
    }

    @Test
    void unsetSeccompIsUnconfinedUnlessTheBuilderOptsIn() {
        assertNull(build(config()).linux().seccomp());
        builder = new ContainerSpecBuilder(CgroupDriver.CGROUPFS, SpecFixture.hybridLayout(), 0, SpecFixture.NODE,
                true);
        assertEquals("SCMP_ACT_ERRNO", build(config()).linux().seccomp().defaultAction());
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
