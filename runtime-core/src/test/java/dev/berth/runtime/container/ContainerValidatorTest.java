package dev.berth.runtime.container;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerMetadata;
import dev.berth.proto.runtime.v1.Device;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.KeyValue;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.LinuxSandboxSecurityContext;
import dev.berth.proto.runtime.v1.Mount;
import dev.berth.proto.runtime.v1.MountPropagation;
import dev.berth.proto.runtime.v1.NamespaceMode;
import dev.berth.proto.runtime.v1.NamespaceOption;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.SecurityProfile;
import dev.berth.runtime.host.oci.SourcePropagation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ContainerValidatorTest {

    @TempDir
    Path tmp;

    private final ContainerValidator noAppArmor = new ContainerValidator(new ResourceValidator(null, null),
            new HostSources(() -> new SourcePropagation("")), new SecurityProfileChecks(false), true);

    @Test
    void targetPidWithoutATargetIsInvalidNamingTheField() {
        BerthException e = invalid(config(security().setNamespaceOptions(NamespaceOption.newBuilder()
                .setPid(NamespaceMode.TARGET))));
        assertTrue(e.getMessage().contains("namespace_options.target_id"), e.getMessage());
        assertDoesNotThrow(() -> noAppArmor.validate(config(security().setNamespaceOptions(NamespaceOption
                .newBuilder().setPid(NamespaceMode.TARGET).setTargetId("abc")))));
    }

    @Test
    void aNulInTheProcessOrAnUnnamedVariableIsInvalidNamingTheField() {
        ContainerConfig base = config(security());
        assertEquals("config.command[1] must not contain a NUL character, got one at index 1",
                invalid(base.toBuilder().addCommand("sleep").addCommand("1\0").build()).getMessage());
        assertEquals("config.args[0] must not contain a NUL character, got one at index 0",
                invalid(base.toBuilder().addArgs("\0").build()).getMessage());
        assertEquals("config.working_dir must not contain a NUL character, got one at index 1",
                invalid(base.toBuilder().setWorkingDir("/\0x").build()).getMessage());
        assertEquals("config.envs[1].key must not contain a NUL character, got one at index 1",
                invalid(base.toBuilder().addEnvs(KeyValue.newBuilder().setKey("A").setValue("1"))
                        .addEnvs(KeyValue.newBuilder().setKey("x\0x")).build()).getMessage());
        assertEquals("config.envs[0].value must not contain a NUL character, got one at index 2",
                invalid(base.toBuilder().addEnvs(KeyValue.newBuilder().setKey("A").setValue("ab\0")).build())
                        .getMessage());
        assertEquals("config.envs[0].key is empty: a variable needs a name",
                invalid(base.toBuilder().addEnvs(KeyValue.newBuilder().setValue("v")).build()).getMessage());
        // An empty value, spaces and non-ASCII text are all a process can take.
        assertDoesNotThrow(() -> noAppArmor.validate(base.toBuilder().addCommand("echo").addArgs("a b \u00e9")
                .setWorkingDir("/w d").addEnvs(KeyValue.newBuilder().setKey("EMPTY")).build()));
    }

    @Test
    void aPrivilegedContainerNeedsAPrivilegedPod() {
        ContainerConfig privileged = config(security().setPrivileged(true));
        BerthException e = assertThrows(BerthException.class, () -> noAppArmor.validateInPod(privileged,
                PodSandboxConfig.getDefaultInstance()));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("privileged"), e.getMessage());
        assertDoesNotThrow(() -> noAppArmor.validateInPod(privileged, PodSandboxConfig.newBuilder()
                .setLinux(LinuxPodSandboxConfig.newBuilder().setSecurityContext(LinuxSandboxSecurityContext
                        .newBuilder().setPrivileged(true))).build()));
    }

    @Test
    void aMissingHostPathIsInvalidNamingItAndNothingIsCreated() {
        Path missing = tmp.resolve("no/such/dir");
        BerthException e = invalid(config(security()).toBuilder().addMounts(Mount.newBuilder()
                .setContainerPath("/data").setHostPath(missing.toString())).build());
        assertTrue(e.getMessage().contains("config.mounts[0].host_path " + missing), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("no")));
    }

    @Test
    void devicesMustExistAndBeDevices() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertTrue(invalid(device("/dev/no-such-device", "rw")).getMessage().contains("/dev/no-such-device"));
        assertTrue(invalid(device(file.toString(), "rw")).getMessage().contains("not a device"));
        assertTrue(invalid(device(tmp.toString(), "rw")).getMessage().contains("without device nodes"));
        assertDoesNotThrow(() -> noAppArmor.validate(device("/dev/null", "rw")));
        assertDoesNotThrow(() -> noAppArmor.validate(device("/dev/null", "")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "rwx", "rr", "rwmr", "R", " r"})
    void devicePermissionsOtherThanRwmCombinationsAreInvalid(String permissions) {
        BerthException e = invalid(device("/dev/null", permissions));
        assertTrue(e.getMessage().contains("config.devices[0].permissions"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"r", "w", "m", "rw", "wr", "mwr", "rwm"})
    void everyCombinationOfRwmIsValid(String permissions) {
        assertDoesNotThrow(() -> noAppArmor.validate(device("/dev/null", permissions)));
    }

    @Test
    void unknownProfileTypesAreInvalid() {
        SecurityProfile unknown = SecurityProfile.newBuilder().setProfileTypeValue(7).build();
        assertTrue(invalid(config(security().setSeccomp(unknown))).getMessage()
                .contains("seccomp.profile_type"));
        assertTrue(invalid(config(security().setApparmor(unknown))).getMessage()
                .contains("apparmor.profile_type"));
    }

    @Test
    @SuppressWarnings("deprecation")
    void aLocalhostAppArmorProfileNeedsAppArmor() {
        ContainerConfig localhost = config(security().setApparmor(SecurityProfile.newBuilder()
                .setProfileType(SecurityProfile.ProfileType.Localhost).setLocalhostRef("my-profile")));
        BerthException e = assertThrows(BerthException.class, () -> noAppArmor.validate(localhost));
        assertEquals(BerthException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().contains("AppArmor"), e.getMessage());
        assertThrows(BerthException.class, () -> noAppArmor.validate(config(security()
                .setApparmorProfile("localhost/my-profile"))));
        assertTrue(invalid(config(security().setApparmorProfile("my-profile"))).getMessage()
                .contains("apparmor_profile"));
        assertDoesNotThrow(() -> new ContainerValidator(new ResourceValidator(null, null),
                new HostSources(() -> new SourcePropagation("")), new SecurityProfileChecks(true), true)
                .validate(localhost));
        assertDoesNotThrow(() -> noAppArmor.validate(config(security().setApparmorProfile("runtime/default"))));
    }

    @Test
    void recursiveReadOnlyNeedsReadOnlyPrivatePropagationAndAHostThatCanDoIt() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("rro"));
        Mount.Builder rro = Mount.newBuilder()
                .setContainerPath("/v").setHostPath(dir.toString()).setRecursiveReadOnly(true).setReadonly(true);
        assertDoesNotThrow(() -> noAppArmor.validate(withMount(rro)));
        assertTrue(invalid(withMount(rro.clone().setReadonly(false))).getMessage()
                .contains("config.mounts[0].recursive_read_only needs readonly"));
        for (MountPropagation propagation : List.of(MountPropagation.PROPAGATION_HOST_TO_CONTAINER,
                MountPropagation.PROPAGATION_BIDIRECTIONAL)) {
            assertTrue(invalid(withMount(rro.clone().setPropagation(propagation))).getMessage()
                    .contains("private propagation"));
        }
        ContainerValidator withoutMountSetattr = new ContainerValidator(new ResourceValidator(null, null),
                new HostSources(() -> new SourcePropagation("")), new SecurityProfileChecks(false), false);
        BerthException e = assertThrows(BerthException.class, () -> withoutMountSetattr.validate(withMount(rro)));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("not supported on this host"), e.getMessage());
    }

    private static ContainerConfig withMount(Mount.Builder mount) {
        return config(security()).toBuilder().addMounts(mount).build();
    }

    private BerthException invalid(ContainerConfig config) {
        BerthException e = assertThrows(BerthException.class, () -> noAppArmor.validate(config));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, e.kind(), e.getMessage());
        return e;
    }

    private static ContainerConfig device(String hostPath, String permissions) {
        return config(security()).toBuilder().addDevices(Device.newBuilder().setHostPath(hostPath)
                .setContainerPath("/dev/d").setPermissions(permissions)).build();
    }

    private static LinuxContainerSecurityContext.Builder security() {
        return LinuxContainerSecurityContext.newBuilder();
    }

    private static ContainerConfig config(LinuxContainerSecurityContext.Builder security) {
        return ContainerConfig.newBuilder()
                .setMetadata(ContainerMetadata.newBuilder().setName("c"))
                .setImage(ImageSpec.newBuilder().setImage("busybox"))
                .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(security))
                .build();
    }
}
