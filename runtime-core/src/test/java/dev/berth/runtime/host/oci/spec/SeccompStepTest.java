package dev.berth.runtime.host.oci.spec;

import static dev.berth.runtime.host.oci.spec.SpecFixture.config;
import static dev.berth.runtime.host.oci.spec.SpecFixture.withSecurity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.Capability;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.SecurityProfile;
import dev.berth.proto.runtime.v1.SecurityProfile.ProfileType;
import dev.berth.runtime.host.oci.OciJson;
import dev.berth.runtime.host.oci.OciSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SuppressWarnings("deprecation") // the legacy seccomp_profile_path field
class SeccompStepTest {

    @TempDir
    Path tmp;
    SpecFixture fixture;
    boolean unsetIsRuntimeDefault;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new SpecFixture(tmp);
    }

    /** The filter after the capability step, as in a real build. */
    OciSpec.Seccomp seccomp(ContainerConfig.Builder config) {
        return fixture.apply(config, new CapabilitiesStep(SpecFixture.NODE),
                new SeccompStep(new OciJson(), unsetIsRuntimeDefault)).linux().seccomp();
    }

    static ContainerConfig.Builder withProfile(SecurityProfile.Builder profile) {
        return withSecurity(config(), LinuxContainerSecurityContext.newBuilder().setSeccomp(profile));
    }

    static ContainerConfig.Builder withLegacyPath(String path) {
        return withSecurity(config(), LinuxContainerSecurityContext.newBuilder().setSeccompProfilePath(path));
    }

    static ContainerConfig.Builder localhost(Path profile) {
        return withProfile(SecurityProfile.newBuilder().setProfileType(ProfileType.Localhost)
                .setLocalhostRef(profile.toString()));
    }

    static SecurityProfile.Builder runtimeDefault() {
        return SecurityProfile.newBuilder().setProfileType(ProfileType.RuntimeDefault);
    }

    @Test
    void runtimeDefaultSeccompIsAnAllowList() {
        OciSpec.Seccomp seccomp = seccomp(withProfile(runtimeDefault()));
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
                .setSeccomp(runtimeDefault())
                .setCapabilities(Capability.newBuilder().addAddCapabilities("SYS_ADMIN"))));
        assertTrue(seccomp.syscalls().stream().anyMatch(s -> s.names().contains("mount")
                && s.action().equals("SCMP_ACT_ALLOW")));
    }

    @Test
    void unsetProfileIsUnconfinedUnlessTheNodeOptsIn() {
        assertNull(seccomp(config()));
        assertNull(seccomp(withLegacyPath("")));
        unsetIsRuntimeDefault = true;
        assertEquals("SCMP_ACT_ERRNO", seccomp(config()).defaultAction());
        assertEquals("SCMP_ACT_ERRNO", seccomp(withLegacyPath("")).defaultAction());
        assertNull(seccomp(withProfile(SecurityProfile.newBuilder().setProfileType(ProfileType.Unconfined))),
                "an explicit Unconfined stays unconfined");
    }

    @Test
    void unconfinedSeccompAndPrivilegedHaveNoFilter() {
        assertNull(seccomp(withProfile(SecurityProfile.newBuilder().setProfileType(ProfileType.Unconfined))));
        assertNull(seccomp(withSecurity(config(), LinuxContainerSecurityContext.newBuilder().setPrivileged(true))));
    }

    @Test
    void privilegedIgnoresTheProfileEvenAnUnusableOne() {
        unsetIsRuntimeDefault = true;
        assertNull(seccomp(withSecurity(config(), LinuxContainerSecurityContext.newBuilder().setPrivileged(true)
                .setSeccomp(runtimeDefault()))));
        assertNull(seccomp(withSecurity(config(), LinuxContainerSecurityContext.newBuilder().setPrivileged(true)
                .setSeccompProfilePath("localhost/" + tmp.resolve("missing.json")))));
    }

    @Test
    void localhostSeccompProfileIsLoaded() throws IOException {
        Path profile = tmp.resolve("profile.json");
        Files.writeString(profile, "{\"defaultAction\":\"SCMP_ACT_LOG\",\"syscalls\":[{\"names\":[\"read\"],"
                + "\"action\":\"SCMP_ACT_ALLOW\"}],\"unknownField\":1}");
        assertEquals("SCMP_ACT_LOG", seccomp(localhost(profile)).defaultAction());
    }

    @Test
    void unusableLocalhostProfileIsInvalidArgumentNamingThePath() throws IOException {
        Path missing = tmp.resolve("missing.json");
        Path garbage = Files.writeString(tmp.resolve("garbage.json"), "{not json");
        Path empty = Files.writeString(tmp.resolve("empty.json"), "{}");
        Path jsonNull = Files.writeString(tmp.resolve("null.json"), "null");
        Path noDefault = Files.writeString(tmp.resolve("no-default.json"),
                "{\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
        for (Path profile : List.of(missing, garbage, empty, jsonNull, noDefault, tmp)) {
            BerthException e = assertThrows(BerthException.class, () -> seccomp(localhost(profile)),
                    profile.toString());
            assertEquals(BerthException.Kind.INVALID_ARGUMENT, e.kind());
            assertTrue(e.getMessage().contains(profile.toString()), e.getMessage());
        }
        BerthException relative = assertThrows(BerthException.class, () -> seccomp(withProfile(
                SecurityProfile.newBuilder().setProfileType(ProfileType.Localhost).setLocalhostRef("profile.json"))));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, relative.kind());
        assertTrue(relative.getMessage().contains("profile.json"), relative.getMessage());
    }

    @Test
    void legacyProfilePathForms() throws IOException {
        Path profile = Files.writeString(tmp.resolve("legacy.json"), "{\"defaultAction\":\"SCMP_ACT_KILL\"}");
        assertNull(seccomp(withLegacyPath("unconfined")));
        assertEquals("SCMP_ACT_KILL", seccomp(withLegacyPath("localhost/" + profile)).defaultAction());
        assertEquals("SCMP_ACT_ERRNO", seccomp(withLegacyPath("runtime/default")).defaultAction());
        assertEquals("SCMP_ACT_ERRNO", seccomp(withLegacyPath("docker/default")).defaultAction());
        BerthException e = assertThrows(BerthException.class, () -> seccomp(withLegacyPath("runtime/strict")));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("runtime/strict"), e.getMessage());
    }
}
