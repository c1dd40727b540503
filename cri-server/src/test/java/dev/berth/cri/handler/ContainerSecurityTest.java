package dev.berth.cri.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.proto.runtime.v1.Capability;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerMetadata;
import dev.berth.proto.runtime.v1.ContainerState;
import dev.berth.proto.runtime.v1.ContainerStatus;
import dev.berth.proto.runtime.v1.ContainerStatusRequest;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.ExecSyncRequest;
import dev.berth.proto.runtime.v1.ExecSyncResponse;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.Int64Value;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.ListContainersRequest;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.proto.runtime.v1.RemoveContainerRequest;
import dev.berth.proto.runtime.v1.RemovePodSandboxRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.SecurityProfile;
import dev.berth.proto.runtime.v1.StartContainerRequest;
import dev.berth.proto.runtime.v1.StopPodSandboxRequest;
import dev.berth.testing.cri.CriClient;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Privileged containers, capabilities and seccomp as the container itself sees them: its /proc/self/status and
 * mount table, read through ExecSync. Expected values are written out here, never taken from berth's constants.
 */
@Tag("host")
class ContainerSecurityTest {

    /** CAP_CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP, NET_BIND_SERVICE, NET_RAW, SYS_CHROOT,
     * MKNOD, AUDIT_WRITE, SETFCAP: the runtime default set of containerd and Docker. */
    static final long DEFAULT_CAPS = 0xa80425fbL;
    static final long CAP_NET_BIND_SERVICE = 1L << 10;
    static final long CAP_NET_ADMIN = 1L << 12;
    static final long CAP_SYS_RESOURCE = 1L << 24;

    static final TestRegistry registry = TestRegistry.start();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n");

    static PushedImage busybox;
    static String podId;
    static PodSandboxConfig pod;

    @BeforeAll
    static void pullAndRunPod() {
        busybox = berth.pullBusybox(registry, "security/busybox");
        String uid = UUID.randomUUID().toString();
        pod = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("security").setNamespace("default")
                        .setUid(uid))
                .setHostname("security")
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(berth.cgroupParent()))
                .setLogDirectory(berth.home().resolve("logs").resolve(uid).toString())
                .build();
        podId = berth.client().runtime().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(pod).build())
                .getPodSandboxId();
    }

    @AfterAll
    static void removePodAndCheckLeftovers() {
        CriClient client = berth.client();
        client.runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
        client.runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
        registry.close();
        berth.stopDaemon();
        berth.assertNothingLeft();
    }

    // --- privileged and capabilities -----------------------------------------------------------------------------

    @Test
    void privilegedContainerHoldsTheNodesCapabilitiesNoFilterWritableSysAndHostDevices() throws Exception {
        long hostBounding = field(Files.readString(Path.of("/proc/self/status")), "CapBnd");
        // Only a privileged pod may hold a privileged container.
        try (TestPod privilegedPod = TestPod.run(berth, busybox.imageId(), "privileged", true)) {
            String id = privilegedPod.run(privilegedPod.container("privileged").setLinux(LinuxContainerConfig
                    .newBuilder().setSecurityContext(LinuxContainerSecurityContext.newBuilder().setPrivileged(true))));
            try {
                String status = exec(id, "cat", "/proc/self/status");
                long effective = field(status, "CapEff");
                assertEquals(Long.toHexString(hostBounding), Long.toHexString(effective), status);
                if ((hostBounding & CAP_SYS_RESOURCE) == 0) {
                    assertEquals(0, effective & CAP_SYS_RESOURCE, "CAP_SYS_RESOURCE, which this node lacks");
                }
                assertTrue(status.contains("\nSeccomp:\t0\n"), status);
                assertEquals("rw", mountOptions(exec(id, "cat", "/proc/self/mountinfo"), "/sys").split(",")[0]);
                String hostDevice = Files.exists(Path.of("/dev/kmsg")) ? "/dev/kmsg" : "/dev/loop-control";
                exec(id, "test", "-c", hostDevice);
            } finally {
                privilegedPod.remove(id);
            }
        }
    }

    @Test
    void addAllGivesTheNodesCapabilitiesToAnUnprivilegedContainer() throws Exception {
        long hostBounding = field(Files.readString(Path.of("/proc/self/status")), "CapBnd");
        String id = runSleeping("add-all", LinuxContainerSecurityContext.newBuilder()
                .setCapabilities(Capability.newBuilder().addAddCapabilities("ALL")));
        try {
            assertEquals(Long.toHexString(hostBounding),
                    Long.toHexString(field(exec(id, "cat", "/proc/self/status"), "CapEff")));
        } finally {
            remove(id);
        }
    }

    @Test
    void anAddedCapabilityIsEffectiveAndNotInTheDefaultSet() throws Exception {
        String plain = runSleeping("default-caps", LinuxContainerSecurityContext.newBuilder());
        String netAdmin = runSleeping("net-admin", LinuxContainerSecurityContext.newBuilder()
                .setCapabilities(Capability.newBuilder().addAddCapabilities("NET_ADMIN")));
        try {
            long defaults = field(exec(plain, "cat", "/proc/self/status"), "CapEff");
            assertEquals(Long.toHexString(DEFAULT_CAPS), Long.toHexString(defaults));
            assertEquals(0, defaults & CAP_NET_ADMIN);
            assertEquals(Long.toHexString(DEFAULT_CAPS | CAP_NET_ADMIN),
                    Long.toHexString(field(exec(netAdmin, "cat", "/proc/self/status"), "CapEff")));
        } finally {
            remove(plain);
            remove(netAdmin);
        }
    }

    @Test
    void dropAllLeavesNoCapability() throws Exception {
        String id = runSleeping("drop-all", LinuxContainerSecurityContext.newBuilder()
                .setCapabilities(Capability.newBuilder().addDropCapabilities("ALL")));
        try {
            String status = exec(id, "cat", "/proc/self/status");
            assertEquals(0L, field(status, "CapEff"), status);
            assertEquals(0L, field(status, "CapBnd"), status);
        } finally {
            remove(id);
        }
    }

    @Test
    void ambientCapabilityReachesANonRootUser() throws Exception {
        String id = runSleeping("ambient", LinuxContainerSecurityContext.newBuilder()
                .setRunAsUser(Int64Value.newBuilder().setValue(1000))
                .setCapabilities(Capability.newBuilder().addAddAmbientCapabilities("NET_BIND_SERVICE")));
        try {
            String status = exec(id, "cat", "/proc/self/status");
            assertEquals(Long.toHexString(CAP_NET_BIND_SERVICE), Long.toHexString(field(status, "CapAmb")), status);
            assertEquals(Long.toHexString(CAP_NET_BIND_SERVICE), Long.toHexString(field(status, "CapEff")), status);
        } finally {
            remove(id);
        }
    }

    @Test
    void aCapabilityTheNodeLacksIsAFailedPreconditionAndCreatesNothing() throws IOException {
        long hostBounding = field(Files.readString(Path.of("/proc/self/status")), "CapBnd");
        assumeTrue((hostBounding & CAP_SYS_RESOURCE) == 0, "this node holds CAP_SYS_RESOURCE");
        int before = containerCount();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> create("sys-resource",
                LinuxContainerSecurityContext.newBuilder()
                        .setCapabilities(Capability.newBuilder().addAddCapabilities("SYS_RESOURCE"))));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode(), e.getMessage());
        assertTrue(e.getStatus().getDescription().contains("CAP_SYS_RESOURCE"), e.getMessage());
        assertTrue(e.getStatus().getDescription().contains("bounding set"), e.getMessage());
        assertEquals(before, containerCount(), "a container was recorded");
    }

    // --- seccomp -------------------------------------------------------------------------------------------------

    @Test
    void aContainerThatNamesNoSeccompProfileRunsUnconfined() throws Exception {
        String id = runSleeping("seccomp-unset", LinuxContainerSecurityContext.newBuilder());
        try {
            String status = exec(id, "cat", "/proc/self/status");
            assertTrue(status.contains("\nSeccomp:\t0\n"), status);
        } finally {
            remove(id);
        }
    }

    @Test
    @SuppressWarnings("deprecation") // the legacy seccomp_profile_path field
    void runtimeDefaultFiltersInBothForms() throws Exception {
        String profile = runSleeping("seccomp-default", LinuxContainerSecurityContext.newBuilder()
                .setSeccomp(SecurityProfile.newBuilder().setProfileType(SecurityProfile.ProfileType.RuntimeDefault)));
        String legacy = runSleeping("seccomp-legacy", LinuxContainerSecurityContext.newBuilder()
                .setSeccompProfilePath("runtime/default"));
        try {
            for (String id : List.of(profile, legacy)) {
                String status = exec(id, "cat", "/proc/self/status");
                assertTrue(status.contains("\nSeccomp:\t2\n"), status);
            }
        } finally {
            remove(profile);
            remove(legacy);
        }
    }

    @Test
    void aMissingLocalhostProfileIsInvalidArgumentNamingItAndCreatesNothing() {
        String path = berth.home().resolve("no-such-profile.json").toString();
        int before = containerCount();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> create("seccomp-missing",
                LinuxContainerSecurityContext.newBuilder().setSeccomp(SecurityProfile.newBuilder()
                        .setProfileType(SecurityProfile.ProfileType.Localhost).setLocalhostRef(path))));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getMessage());
        assertTrue(e.getStatus().getDescription().contains(path), e.getMessage());
        assertEquals(before, containerCount(), "a container was recorded");
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private static String create(String name, LinuxContainerSecurityContext.Builder security) {
        return berth.client().runtime().createContainer(CreateContainerRequest.newBuilder()
                .setPodSandboxId(podId)
                .setSandboxConfig(pod)
                .setConfig(ContainerConfig.newBuilder()
                        .setMetadata(ContainerMetadata.newBuilder().setName(name))
                        .setImage(ImageSpec.newBuilder().setImage(busybox.imageId()))
                        .addCommand("sleep").addCommand("600")
                        .setLogPath(name + ".log")
                        .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(security)))
                .build()).getContainerId();
    }

    /** Creates and starts a {@code sleep 600} container; returns once it runs. */
    private static String runSleeping(String name, LinuxContainerSecurityContext.Builder security)
            throws InterruptedException {
        String id = create(name, security);
        try {
            berth.client().runtime().startContainer(StartContainerRequest.newBuilder().setContainerId(id).build());
            awaitRunning(id);
        } catch (RuntimeException | InterruptedException | AssertionError e) {
            remove(id);
            throw e;
        }
        return id;
    }

    private static void awaitRunning(String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        ContainerStatus status;
        do {
            status = berth.client().runtime().containerStatus(ContainerStatusRequest.newBuilder()
                    .setContainerId(id).build()).getStatus();
            if (status.getState() == ContainerState.CONTAINER_RUNNING) {
                return;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("container did not run: " + status);
    }

    private static String exec(String id, String... command) {
        ExecSyncResponse response = berth.client().runtime().execSync(ExecSyncRequest.newBuilder()
                .setContainerId(id).addAllCmd(List.of(command)).setTimeout(10).build());
        assertEquals(0, response.getExitCode(), String.join(" ", command) + ": "
                + response.getStderr().toStringUtf8());
        return response.getStdout().toStringUtf8();
    }

    private static void remove(String id) {
        berth.client().runtime().removeContainer(RemoveContainerRequest.newBuilder().setContainerId(id).build());
    }

    private static int containerCount() {
        return berth.client().runtime().listContainers(ListContainersRequest.getDefaultInstance())
                .getContainersCount();
    }

    /** A hexadecimal field of /proc/PID/status, e.g. "CapEff". */
    static long field(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name + ":")) {
                return Long.parseUnsignedLong(line.substring(name.length() + 1).strip(), 16);
            }
        }
        throw new AssertionError("no " + name + " in " + status);
    }

    /** The per-mount options of the mount at {@code mountPoint} in a mountinfo table (the last one wins). */
    static String mountOptions(String mountinfo, String mountPoint) {
        String options = null;
        for (String line : mountinfo.split("\n")) {
            String[] fields = line.split(" ");
            if (fields.length > 5 && fields[4].equals(mountPoint)) {
                options = fields[5];
            }
        }
        if (options == null) {
            throw new AssertionError("no " + mountPoint + " in " + mountinfo);
        }
        return options;
    }
}
