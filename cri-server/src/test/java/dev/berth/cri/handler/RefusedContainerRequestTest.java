package dev.berth.cri.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.cri.testing.Leftovers;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.Device;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.LinuxSandboxSecurityContext;
import dev.berth.proto.runtime.v1.ListContainersRequest;
import dev.berth.proto.runtime.v1.ListPodSandboxRequest;
import dev.berth.proto.runtime.v1.Mount;
import dev.berth.proto.runtime.v1.NamespaceMode;
import dev.berth.proto.runtime.v1.NamespaceOption;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.SecurityProfile;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Contradictory or unusable container requests: each is refused with an error naming the field before anything is
 * created (no container recorded, no bundle, no mount, no directory on the node).
 */
@Tag("host")
class RefusedContainerRequestTest {

    static final TestRegistry registry = TestRegistry.start();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n");

    static TestPod pod;

    @BeforeAll
    static void pullAndRunPod() {
        PushedImage busybox = berth.pullBusybox(registry, "refused/busybox");
        pod = TestPod.run(berth, busybox.imageId(), "refused", false);
    }

    @AfterAll
    static void removePodAndCheckLeftovers() {
        pod.close();
        registry.close();
        berth.stopDaemon();
        berth.assertNothingLeft();
    }

    @Test
    void targetPidWithoutATargetIdIsRefused() throws IOException {
        refused(Status.Code.INVALID_ARGUMENT, "namespace_options.target_id", pod.container("no-target")
                .setLinux(linux(LinuxContainerSecurityContext.newBuilder().setNamespaceOptions(
                        NamespaceOption.newBuilder().setPid(NamespaceMode.TARGET)))));
    }

    @Test
    void aPrivilegedContainerInAnUnprivilegedPodIsRefused() throws IOException {
        refused(Status.Code.INVALID_ARGUMENT, "privileged", pod.container("privileged")
                .setLinux(linux(LinuxContainerSecurityContext.newBuilder().setPrivileged(true))));
    }

    @Test
    void aMissingHostPathIsRefusedNamingItAndIsNotCreated() throws IOException {
        Path missing = berth.home().resolve("no-such-volume/data");
        refused(Status.Code.INVALID_ARGUMENT, missing.toString(), pod.container("missing-volume")
                .addMounts(Mount.newBuilder().setContainerPath("/data").setHostPath(missing.toString())));
        assertFalse(Files.exists(missing.getParent()), "berth created the missing host path");
    }

    @Test
    void aMissingHostPathAfterOtherMountsLeavesNoneOfThemCreated() throws IOException {
        Path present = Files.createDirectories(berth.home().resolve("present-volume"));
        Path missing = berth.home().resolve("absent-volume");
        refused(Status.Code.INVALID_ARGUMENT, "config.mounts[1].host_path", pod.container("second-missing")
                .addMounts(Mount.newBuilder().setContainerPath("/a").setHostPath(present.toString()))
                .addMounts(Mount.newBuilder().setContainerPath("/b").setHostPath(missing.toString())));
        assertFalse(Files.exists(missing));
        Files.delete(present);
    }

    @Test
    void aDeviceThatDoesNotExistIsRefused() throws IOException {
        refused(Status.Code.INVALID_ARGUMENT, "/dev/berth-no-such-device", pod.container("no-device")
                .addDevices(Device.newBuilder().setHostPath("/dev/berth-no-such-device")
                        .setContainerPath("/dev/x").setPermissions("rw")));
    }

    @Test
    void aDevicePathThatIsNotADeviceIsRefused() throws IOException {
        Path file = Files.writeString(berth.home().resolve("not-a-device"), "x");
        refused(Status.Code.INVALID_ARGUMENT, "not a device", pod.container("file-device")
                .addDevices(Device.newBuilder().setHostPath(file.toString()).setContainerPath("/dev/x")));
        Files.delete(file);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rwx", "rr", "read", "W"})
    void devicePermissionsOtherThanRwmAreRefused(String permissions) throws IOException {
        refused(Status.Code.INVALID_ARGUMENT, "config.devices[0].permissions", pod.container("bad-perms")
                .addDevices(Device.newBuilder().setHostPath("/dev/null").setContainerPath("/dev/mynull")
                        .setPermissions(permissions)));
    }

    @Test
    void unknownProfileTypesAreRefused() throws IOException {
        SecurityProfile unknown = SecurityProfile.newBuilder().setProfileTypeValue(9).build();
        refused(Status.Code.INVALID_ARGUMENT, "seccomp.profile_type", pod.container("seccomp-9")
                .setLinux(linux(LinuxContainerSecurityContext.newBuilder().setSeccomp(unknown))));
        refused(Status.Code.INVALID_ARGUMENT, "apparmor.profile_type", pod.container("apparmor-9")
                .setLinux(linux(LinuxContainerSecurityContext.newBuilder().setApparmor(unknown))));
    }

    @Test
    void aLocalhostAppArmorProfileOnANodeWithoutAppArmorIsRefused() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isDirectory(Path.of("/sys/kernel/security/apparmor")),
                "this node has AppArmor");
        refused(Status.Code.FAILED_PRECONDITION, "AppArmor", pod.container("apparmor-local")
                .setLinux(linux(LinuxContainerSecurityContext.newBuilder().setApparmor(SecurityProfile.newBuilder()
                        .setProfileType(SecurityProfile.ProfileType.Localhost).setLocalhostRef("berth-test")))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"network-target", "network-container", "ipc-target", "ipc-container"})
    void aPodWhoseNetworkOrIpcIsTargetOrContainerIsRefused(String option) {
        NamespaceMode mode = option.endsWith("target") ? NamespaceMode.TARGET : NamespaceMode.CONTAINER;
        NamespaceOption.Builder namespaces = NamespaceOption.newBuilder();
        if (option.startsWith("network")) {
            namespaces.setNetwork(mode);
        } else {
            namespaces.setIpc(mode);
        }
        PodSandboxConfig config = pod.config().toBuilder()
                .setMetadata(pod.config().getMetadata().toBuilder().setName("bad-" + option).setUid(option))
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(berth.cgroupParent())
                        .setSecurityContext(LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(namespaces)))
                .build();
        int pods = berth.client().runtime().listPodSandbox(ListPodSandboxRequest.getDefaultInstance())
                .getItemsCount();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> berth.client().runtime()
                .runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(config).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getMessage());
        assertTrue(e.getStatus().getDescription().contains("namespace_options." + option.split("-")[0]),
                e.getMessage());
        assertEquals(pods, berth.client().runtime().listPodSandbox(ListPodSandboxRequest.getDefaultInstance())
                .getItemsCount(), "a pod was recorded");
    }

    private static void refused(Status.Code code, String naming, ContainerConfig.Builder container)
            throws IOException {
        List<Path> mountsBefore = Leftovers.mountsUnder(berth.home());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> pod.create(container));
        assertEquals(code, e.getStatus().getCode(), e.getMessage());
        assertTrue(e.getStatus().getDescription().contains(naming), e.getMessage());
        assertEquals(0, berth.client().runtime().listContainers(ListContainersRequest.getDefaultInstance())
                .getContainersCount(), "a container was recorded");
        assertEquals(mountsBefore, Leftovers.mountsUnder(berth.home()), "a mount was made");
        Path bundles = berth.state().resolve("containers");
        if (Files.isDirectory(bundles)) {
            try (Stream<Path> entries = Files.list(bundles)) {
                assertEquals(List.of(), entries.toList(), "a bundle was made");
            }
        }
    }

    private static LinuxContainerConfig.Builder linux(LinuxContainerSecurityContext.Builder security) {
        return LinuxContainerConfig.newBuilder().setSecurityContext(security);
    }
}
