package dev.berth.runtime.host.oci.spec;

import static dev.berth.runtime.host.oci.spec.SpecFixture.config;
import static dev.berth.runtime.host.oci.spec.SpecFixture.withSecurity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proto.runtime.v1.Capability;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.SecurityProfile;
import dev.berth.runtime.host.oci.OciJson;
import dev.berth.runtime.host.oci.OciSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeccompStepTest {

    @TempDir
    Path tmp;
    SpecFixture fixture;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new SpecFixture(tmp);
    }

    /** The filter after the capability step, as in a real build. */
    OciSpec.Seccomp seccomp(ContainerConfig.Builder config) {
        return fixture.apply(config, new CapabilitiesStep(SpecFixture.NODE), new SeccompStep(new OciJson())).linux().seccomp();
    }

    static ContainerConfig.Builder withProfile(SecurityProfile.Builder profile) {
        return withSecurity(config(), LinuxContainerSecurityContext.newBuilder().setSeccomp(profile));
    }

    @Test
    void runtimeDefaultSeccompIsAnAllowList() {
        OciSpec.Seccomp seccomp = seccomp(config());
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
        OciSpec.Seccomp seccomp = seccomp(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setCapabilities(Capability.newBuilder().addAddCapabilities("SYS_ADMIN"))));
        assertTrue(seccomp.syscalls().stream().anyMatch(s -> s.names().contains("mount")
                && s.action().equals("SCMP_ACT_ALLOW")));
    }

    @Test
    void unconfinedSeccompAndPrivilegedHaveNoFilter() {
        assertNull(seccomp(withProfile(SecurityProfile.newBuilder()
                .setProfileType(SecurityProfile.ProfileType.Unconfined))));
        assertNull(seccomp(withSecurity(config(), LinuxContainerSecurityContext.newBuilder().setPrivileged(true))));
    }

    @Test
    void localhostSeccompProfileIsLoaded() throws IOException {
        Path profile = tmp.resolve("profile.json");
        Files.writeString(profile, "{\"defaultAction\":\"SCMP_ACT_LOG\",\"syscalls\":[{\"names\":[\"read\"],"
                + "\"action\":\"SCMP_ACT_ALLOW\"}],\"unknownField\":1}");
        OciSpec.Seccomp seccomp = seccomp(withProfile(SecurityProfile.newBuilder()
                .setProfileType(SecurityProfile.ProfileType.Localhost).setLocalhostRef(profile.toString())));
        assertEquals("SCMP_ACT_LOG", seccomp.defaultAction());
    }

    @Test
    @SuppressWarnings("deprecation")
    void legacyProfilePathForms() throws IOException {
        Path profile = Files.writeString(tmp.resolve("legacy.json"), "{\"defaultAction\":\"SCMP_ACT_KILL\"}");
        assertNull(seccomp(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setSeccompProfilePath("unconfined"))));
        assertEquals("SCMP_ACT_KILL", seccomp(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setSeccompProfilePath("localhost/" + profile))).defaultAction());
        assertEquals("SCMP_ACT_ERRNO", seccomp(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setSeccompProfilePath("runtime/default"))).defaultAction());
    }
}
