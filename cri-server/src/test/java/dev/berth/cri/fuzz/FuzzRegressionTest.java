package dev.berth.cri.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.cri.testing.Leftovers;
import dev.berth.proto.runtime.v1.AuthConfig;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerState;
import dev.berth.proto.runtime.v1.CreateContainerRequest;
import dev.berth.proto.runtime.v1.KeyValue;
import dev.berth.proto.runtime.v1.DNSConfig;
import dev.berth.proto.runtime.v1.Device;
import dev.berth.proto.runtime.v1.LinuxContainerResources;
import dev.berth.proto.runtime.v1.UpdateContainerResourcesRequest;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.LinuxSandboxSecurityContext;
import dev.berth.proto.runtime.v1.ListPodSandboxRequest;
import dev.berth.proto.runtime.v1.NamespaceMode;
import dev.berth.proto.runtime.v1.NamespaceOption;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.proto.runtime.v1.RemovePodSandboxRequest;
import dev.berth.proto.runtime.v1.RunPodSandboxRequest;
import dev.berth.proto.runtime.v1.StopPodSandboxRequest;
import dev.berth.proto.runtime.v1.ContainerStatusRequest;
import dev.berth.proto.runtime.v1.ExecSyncRequest;
import dev.berth.proto.runtime.v1.ExecSyncResponse;
import dev.berth.proto.runtime.v1.ListContainersRequest;
import dev.berth.proto.runtime.v1.NetworkConfig;
import dev.berth.proto.runtime.v1.RuntimeConfig;
import dev.berth.proto.runtime.v1.StopContainerRequest;
import dev.berth.proto.runtime.v1.UpdateRuntimeConfigRequest;
import dev.berth.testing.registry.TestRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Cases the fuzzer found, fixed, kept as plain tests so they stay fixed whatever the random run draws. */
@Tag("host")
class FuzzRegressionTest {

    static final TestRegistry registry = TestRegistry.start();

    @RegisterExtension
    // The message limit of the daemon that found the large-record case, so its 16 MiB pod config still fits.
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withServerKeys("max_message_bytes = 67108864")
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n");

    static FuzzFixture fixture;

    @BeforeAll
    static void makeFixture() {
        fixture = new FuzzFixture(berth, registry);
        fixture.start();
    }

    @AfterAll
    static void removeFixture() {
        try {
            fixture.remove();
        } finally {
            registry.close();
            berth.stopDaemon();
        }
        assertEquals(List.of(), Leftovers.podMountsUnder(berth.home(), berth.state()), "pod mounts left behind");
        assertEquals(List.of(), Leftovers.processesUsing(berth.home(), berth.state()), "processes left behind");
    }

    /**
     * Found by the fuzzer (seed 3298615553282, cases 48, 56, 256, 273): errors quote the request's text, and a
     * 50,000-character ID made a grpc-message trailer larger than the client accepts, so the client saw INTERNAL
     * "http2 exception" instead of NOT_FOUND.
     */
    @Test
    void errorForAHugeFieldKeepsItsCodeAndAShortDescription() {
        String hugeId = "./escape".repeat(6250);
        StatusRuntimeException notFound = assertThrows(StatusRuntimeException.class, () -> berth.client().runtime()
                .containerStatus(ContainerStatusRequest.newBuilder().setContainerId(hugeId).build()));
        assertEquals(Status.Code.NOT_FOUND, notFound.getStatus().getCode(), notFound.getMessage());
        String description = notFound.getStatus().getDescription();
        assertTrue(description.startsWith("container_id \"./escape./escape"), description);
        assertTrue(description.endsWith(" chars, truncated)"), description);
        assertTrue(description.getBytes(StandardCharsets.UTF_8).length < 4200, description.length() + " chars");

        // Characters that travel percent-encoded count three times per byte.
        String pctEncoded = "\u00e9".repeat(20_000);
        StatusRuntimeException invalid = assertThrows(StatusRuntimeException.class, () -> berth.client().runtime()
                .updateRuntimeConfig(UpdateRuntimeConfigRequest.newBuilder().setRuntimeConfig(RuntimeConfig
                        .newBuilder().setNetworkConfig(NetworkConfig.newBuilder().setPodCidr(pctEncoded))).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, invalid.getStatus().getCode(), invalid.getMessage());
        assertTrue(invalid.getStatus().getDescription().startsWith("runtime_config.network_config.pod_cidr: \""),
                invalid.getStatus().getDescription());
    }

    /**
     * Found by the fuzzer (seed 3298615553282, case 180): an ExecSync timeout of Long.MAX_VALUE seconds overflowed
     * nanosecond arithmetic and came back INTERNAL (ArithmeticException). It means "no limit of its own" and runs.
     */
    @Test
    void execSyncAndStopContainerTakeTheLargestTimeout() {
        ExecSyncResponse response = berth.client().runtime().execSync(ExecSyncRequest.newBuilder()
                .setContainerId(fixture.containerId()).addCmd("echo").addCmd("hi").setTimeout(Long.MAX_VALUE)
                .build());
        assertEquals(0, response.getExitCode());
        assertEquals("hi\n", response.getStdout().toStringUtf8());

        // The fixture's container exits at once on SIGTERM: the huge timeout is never waited out.
        berth.client().runtime().stopContainer(StopContainerRequest.newBuilder()
                .setContainerId(fixture.containerId()).setTimeout(Long.MAX_VALUE).build());
        assertEquals(ContainerState.CONTAINER_EXITED, berth.client().runtime().listContainers(
                ListContainersRequest.getDefaultInstance()).getContainers(0).getState());
        fixture.restore();

        StatusRuntimeException negative = assertThrows(StatusRuntimeException.class, () -> berth.client().runtime()
                .execSync(ExecSyncRequest.newBuilder().setContainerId(fixture.containerId()).addCmd("true")
                        .setTimeout(-1).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, negative.getStatus().getCode());
        assertEquals("timeout must not be negative, got -1", negative.getStatus().getDescription());
    }

    /**
     * Found by HostileRequestTableTest: a pod whose cgroup parent had '..' elements was made (the cgroup code looked
     * at the path only at the pod's stop), and then StopPodSandbox and RemovePodSandbox failed on it for ever.
     */
    @Test
    void cgroupParentWithDotDotIsRefusedBeforeThePodIsMade() {
        int podsBefore = pods();
        for (String parent : List.of("/../../tmp/x", berth.cgroupParent() + "/..", "./kubepods", "/a/./b")) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> berth.client().runtime()
                    .runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(fixture.newPodConfig(
                            fixture.uniqueName("cgroup")).toBuilder().setLinux(LinuxPodSandboxConfig.newBuilder()
                            .setCgroupParent(parent))).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), parent);
            assertEquals("config.linux.cgroup_parent must not contain '.' or '..' elements, got \"" + parent + "\"",
                    e.getStatus().getDescription());
        }
        assertEquals(podsBefore, pods());
    }

    /**
     * Found by the long fuzz run (deploy/fuzz.sh 8 424242): the daemon's JVM ran out of direct memory ("Cannot
     * reserve 2097152 bytes of direct buffer memory"). Records were written from one heap buffer, which the JDK copies
     * into a temporary direct buffer as large and keeps cached on the writing thread: every request thread that had
     * written a large pod record held that much direct memory for good.
     */
    @Test
    void largePodRecordsLeaveNoDirectMemoryBehind() {
        long before = directMemory();
        for (int i = 0; i < 2; i++) {
            DNSConfig.Builder dns = DNSConfig.newBuilder();
            for (int j = 0; j < 16; j++) {
                dns.addSearches("s".repeat(1 << 20));
            }
            String id = berth.client().runtime().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(fixture
                    .newPodConfig(fixture.uniqueName("large")).toBuilder().setDnsConfig(dns)).build())
                    .getPodSandboxId();
            berth.client().runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(id).build());
            berth.client().runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(id)
                    .build());
        }
        // Before the fix each pod left two cached buffers of its record's size (about 17 MB each).
        long grown = directMemory() - before;
        assertTrue(grown < 24L << 20, "direct memory grew by " + grown + " bytes");
    }

    /** Found by HostileRequestTableTest: ExecSync of an empty program name came back INTERNAL with runc's error. */
    @Test
    void execSyncOfAnEmptyProgramOrANulArgumentIsInvalidArgument() {
        for (List<String> cmd : List.of(List.of(""), List.of("", "x"), List.of("echo", "a\0b"))) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> berth.client().runtime()
                    .execSync(ExecSyncRequest.newBuilder().setContainerId(fixture.containerId()).addAllCmd(cmd)
                            .setTimeout(5).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), cmd.toString());
        }
        assertEquals("hi\n", berth.client().runtime().execSync(ExecSyncRequest.newBuilder()
                .setContainerId(fixture.containerId()).addCmd("echo").addCmd("hi").build()).getStdout()
                .toStringUtf8());
    }

    /**
     * Found by the long fuzz run (deploy/fuzz.sh 4 424242, cases 2443 and 5521): a cgroup parent element longer than a
     * file name, and a CFS quota above the kernel's 2^44-1 us, reached runc and came back INTERNAL.
     */
    @Test
    void cgroupParentElementLongerThanAFileNameIsInvalidArgument() {
        int podsBefore = pods();
        StatusRuntimeException longName = assertThrows(StatusRuntimeException.class, () -> berth.client().runtime()
                .runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(fixture.newPodConfig(
                        fixture.uniqueName("cgroup")).toBuilder().setLinux(LinuxPodSandboxConfig.newBuilder()
                        .setCgroupParent("/" + "a".repeat(256)))).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, longName.getStatus().getCode(), longName.getMessage());
        assertEquals("config.linux.cgroup_parent has an element longer than 255 bytes, the longest file name",
                longName.getStatus().getDescription());
        assertEquals(podsBefore, pods());
    }

    /** Found by the long fuzz run (deploy/fuzz.sh 4 424242, case 5521), see above. */
    @Test
    void cpuQuotaAboveTheKernelsLimitIsInvalidArgument() {
        StatusRuntimeException quota = assertThrows(StatusRuntimeException.class, () -> berth.client().runtime()
                .updateContainerResources(UpdateContainerResourcesRequest.newBuilder()
                        .setContainerId(fixture.containerId())
                        .setLinux(LinuxContainerResources.newBuilder().setCpuQuota(1L << 53)).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, quota.getStatus().getCode(), quota.getMessage());
        assertTrue(quota.getStatus().getDescription().contains("cpu_quota"), quota.getMessage());
    }

    /**
     * Found by the long fuzz run (deploy/fuzz.sh 4 424242 after the 12-05 merges, case 1526): a registry token that
     * cannot be an HTTP header value failed the pull inside the HTTP client, as INTERNAL.
     */
    @Test
    void aRegistryTokenThatCannotBeAHeaderIsInvalidArgument() {
        StatusRuntimeException token = assertThrows(StatusRuntimeException.class, () -> berth.client().images()
                .pullImage(PullImageRequest.newBuilder()
                        .setImage(ImageSpec.newBuilder().setImage(fixture.image().reference()))
                        .setAuth(AuthConfig.newBuilder().setRegistryToken("\u202e\ud83d\ude00\u00e9")).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, token.getStatus().getCode(), token.getMessage());
        assertTrue(token.getStatus().getDescription().contains("auth.registry_token"), token.getMessage());
    }

    /**
     * Found as leftovers after the long fuzz run (deploy/fuzz.sh 4 424242 after the 12-05 merges): a shared-PID pod
     * whose cgroup parent berth cannot use (a ':' makes it read as a systemd triple) failed after its PID holder
     * started, and the holder, which drops its parent-death signal with its privileges, outlived its launcher.
     */
    @Test
    void aSharedPidPodRefusedAfterItsHolderStartedLeavesNoHolder() {
        int podsBefore = pods();
        // The fixture's own pod and container run throughout.
        List<String> processesBefore = Leftovers.processesUsing(berth.state());
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> berth.client().runtime()
                .runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(fixture.newPodConfig(
                        fixture.uniqueName("holder")).toBuilder().setLinux(LinuxPodSandboxConfig.newBuilder()
                        .setCgroupParent("/fuzz:parent").setSecurityContext(LinuxSandboxSecurityContext.newBuilder()
                                .setNamespaceOptions(NamespaceOption.newBuilder().setPid(NamespaceMode.POD)))))
                        .build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode(), refused.getMessage());
        assertEquals(podsBefore, pods());
        assertEquals(processesBefore, Leftovers.processesUsing(berth.state()), "holder left running");
    }

    /**
     * Found by the long fuzz run (deploy/fuzz.sh 4 424242 after the 12-05 merges, cases 1169, 1482, 1962, 8369,
     * 10186): a NUL in an environment variable's name, in the command or in the working directory failed only inside
     * runc's container init, and came back INTERNAL with runc's first warning instead of its reason.
     */
    @Test
    void aNulInTheContainersProcessIsInvalidArgumentAndMakesNothing() {
        List<String> processesBefore = Leftovers.processesUsing(berth.state());
        ContainerConfig base = fixture.newContainerConfig(fixture.uniqueName("nul"), List.of("sleep", "1"));
        record Case(ContainerConfig config, String field) {
        }
        for (Case c : List.of(
                new Case(base.toBuilder().addEnvs(KeyValue.newBuilder().setKey("x\0x")).build(), "config.envs[1].key"),
                new Case(base.toBuilder().setCommand(0, "sleep\0x").build(), "config.command[0]"),
                new Case(base.toBuilder().setWorkingDir("/\0x").build(), "config.working_dir"),
                new Case(base.toBuilder().setCommand(0, "").build(), "config.command[0]"))) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> berth.client().runtime()
                    .createContainer(CreateContainerRequest.newBuilder().setPodSandboxId(fixture.podId())
                            .setSandboxConfig(fixture.podConfig()).setConfig(c.config()).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getMessage());
            assertTrue(e.getStatus().getDescription().contains(c.field()), e.getMessage());
        }
        assertEquals(1, berth.client().runtime().listContainers(ListContainersRequest.getDefaultInstance())
                .getContainersCount(), "only the fixture's container");
        assertEquals(processesBefore, Leftovers.processesUsing(berth.state()), "conmon or runc left running");
    }

    /**
     * Found by the long fuzz run (deploy/fuzz.sh 4 424242 after the NUL fix, case 7543): a device whose host_path is
     * "/.." made berth walk the host's whole tree looking for device nodes, until /proc refused a directory and the
     * call failed INTERNAL.
     */
    @Test
    void theHostsRootAsADeviceDirectoryIsInvalidArgument() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> berth.client().runtime()
                .createContainer(CreateContainerRequest.newBuilder().setPodSandboxId(fixture.podId())
                        .setSandboxConfig(fixture.podConfig()).setConfig(fixture.newContainerConfig(
                                fixture.uniqueName("dev"), List.of("sleep", "1")).toBuilder()
                                .addDevices(Device.newBuilder().setHostPath("/..").setContainerPath("/dev/x")))
                        .build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getMessage());
        assertTrue(e.getStatus().getDescription().startsWith("config.devices[0].host_path: /.. holds more than 16384 entries"),
                e.getMessage());
    }

    /**
     * Found by the long fuzz run (deploy/fuzz.sh 4 424242 after the NUL fix, case 12066): a 1 MiB log_path made
     * conmon's argument list too long to spawn (E2BIG), INTERNAL. No path can be longer than 4095 bytes.
     */
    @Test
    void pathsLongerThanALinuxPathAreInvalidArgument() {
        ContainerConfig base = fixture.newContainerConfig(fixture.uniqueName("long"), List.of("sleep", "1"));
        for (ContainerConfig config : List.of(base.toBuilder().setLogPath("a".repeat(1 << 20)).build(),
                base.toBuilder().setLogPath("a/".repeat(2100)).build(),
                base.toBuilder().setWorkingDir("/" + "w".repeat(300)).build())) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> berth.client().runtime()
                    .createContainer(CreateContainerRequest.newBuilder().setPodSandboxId(fixture.podId())
                            .setSandboxConfig(fixture.podConfig()).setConfig(config).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getMessage());
        }
        // Short enough alone, too long once joined to the pod's log directory.
        String nearlyLongest = ("a".repeat(200) + "/").repeat(20);
        StatusRuntimeException joined = assertThrows(StatusRuntimeException.class, () -> berth.client().runtime()
                .createContainer(CreateContainerRequest.newBuilder().setPodSandboxId(fixture.podId())
                        .setSandboxConfig(fixture.podConfig()).setConfig(base.toBuilder().setLogPath(nearlyLongest))
                        .build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, joined.getStatus().getCode(), joined.getMessage());
        assertTrue(joined.getStatus().getDescription().startsWith("config.log_path inside the pod's log_directory "
                + "is "), joined.getMessage());
        StatusRuntimeException pod = assertThrows(StatusRuntimeException.class, () -> berth.client().runtime()
                .runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(fixture.newPodConfig(
                        fixture.uniqueName("long")).toBuilder().setLogDirectory("/" + "d/".repeat(2048))).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, pod.getStatus().getCode(), pod.getMessage());
        assertEquals("config.log_directory is 4097 bytes long, longer than a path can be (4095 bytes)",
                pod.getStatus().getDescription());
        assertEquals(1, berth.client().runtime().listContainers(ListContainersRequest.getDefaultInstance())
                .getContainersCount(), "only the fixture's container");
    }

    private static long directMemory() {
        // Unreachable direct buffers are freed by their cleaner after a collection; only held ones remain.
        System.gc();
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow().getMemoryUsed();
    }

    private static int pods() {
        return berth.client().runtime().listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsCount();
    }
}
