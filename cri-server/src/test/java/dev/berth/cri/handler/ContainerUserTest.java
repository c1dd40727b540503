package dev.berth.cri.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.proto.runtime.v1.Int64Value;
import dev.berth.proto.runtime.v1.LinuxContainerConfig;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.LinuxContainerUser;
import dev.berth.proto.runtime.v1.ListContainersRequest;
import dev.berth.proto.runtime.v1.StatusRequest;
import dev.berth.proto.runtime.v1.SupplementalGroupsPolicy;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Who a container's process is, checked from inside it (/proc/PID/status) and in ContainerStatus: users resolved in
 * the image's /etc/passwd, groups per the supplemental-groups policy. The test image's user tester (1002:1002) is
 * also in staff (50) and www-data (33) in its /etc/group.
 */
@Tag("host")
class ContainerUserTest {

    static final TestRegistry registry = TestRegistry.start();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n");

    static TestPod pod;

    @BeforeAll
    static void pullAndRunPod() {
        PushedImage busybox = berth.pullBusybox(registry, "users/busybox");
        pod = TestPod.run(berth, busybox.imageId(), "users", false);
    }

    @AfterAll
    static void removePodAndCheckLeftovers() {
        pod.close();
        registry.close();
        berth.stopDaemon();
        berth.assertNothingLeft();
    }

    /** Runs {@code sleep} as the context says; returns the container's ID. */
    private static String run(String name, LinuxContainerSecurityContext.Builder security)
            throws InterruptedException {
        return pod.run(pod.container(name).setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(security)));
    }

    /** The {@code Uid:}, {@code Gid:} and {@code Groups:} lines of the container's process, as the kernel has them. */
    private static List<String> identity(String id) {
        // The pod shares one PID namespace (the default), so the container's own process is found by name.
        String status = pod.exec(id, "sh", "-c", "cat /proc/$(pidof sleep)/status");
        return status.lines().filter(l -> l.startsWith("Uid:") || l.startsWith("Gid:") || l.startsWith("Groups:"))
                .map(l -> l.replaceAll("\\s+", " ").strip()).toList();
    }

    private static LinuxContainerUser reported(String id) {
        return pod.status(id).getUser().getLinux();
    }

    private static void remove(String id) {
        pod.remove(id);
    }

    @Test
    void mergeAddsTheImagesGroupsOfTheUserToTheRequestedOnes() throws InterruptedException {
        String id = run("merge", LinuxContainerSecurityContext.newBuilder().setRunAsUsername("tester")
                .addSupplementalGroups(4242));
        try {
            assertEquals(List.of("Uid: 1002 1002 1002 1002", "Gid: 1002 1002 1002 1002", "Groups: 33 50 1002 4242"),
                    identity(id));
            LinuxContainerUser user = reported(id);
            assertEquals(1002, user.getUid());
            assertEquals(1002, user.getGid());
            assertEquals(List.of(33L, 50L, 1002L, 4242L), user.getSupplementalGroupsList());
        } finally {
            remove(id);
        }
    }

    @Test
    void strictKeepsOnlyThePrimaryAndTheRequestedGroups() throws InterruptedException {
        String id = run("strict", LinuxContainerSecurityContext.newBuilder().setRunAsUsername("tester")
                .addSupplementalGroups(4242).setSupplementalGroupsPolicy(SupplementalGroupsPolicy.Strict));
        try {
            assertEquals(List.of("Uid: 1002 1002 1002 1002", "Gid: 1002 1002 1002 1002", "Groups: 1002 4242"),
                    identity(id));
            assertEquals(List.of(1002L, 4242L), reported(id).getSupplementalGroupsList());
        } finally {
            remove(id);
        }
    }

    @Test
    void runAsUserAndGroupOverrideTheImage() throws InterruptedException {
        String id = run("numeric", LinuxContainerSecurityContext.newBuilder()
                .setRunAsUser(Int64Value.newBuilder().setValue(1002))
                .setRunAsGroup(Int64Value.newBuilder().setValue(2000)));
        try {
            assertEquals(List.of("Uid: 1002 1002 1002 1002", "Gid: 2000 2000 2000 2000", "Groups: 33 50 2000"),
                    identity(id));
            LinuxContainerUser user = reported(id);
            assertEquals(1002, user.getUid());
            assertEquals(2000, user.getGid());
        } finally {
            remove(id);
        }
    }

    @Test
    void aUserNameTheImageDoesNotKnowIsRefusedAndLeavesNothing() throws InterruptedException {
        int before = berth.client().runtime().listContainers(ListContainersRequest.getDefaultInstance())
                .getContainersCount();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> remove(run("ghost",
                LinuxContainerSecurityContext.newBuilder().setRunAsUsername("ghost"))));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getMessage());
        assertTrue(e.getStatus().getDescription().contains("ghost"), e.getMessage());
        assertEquals(before, berth.client().runtime().listContainers(ListContainersRequest.getDefaultInstance())
                .getContainersCount());
    }

    @Test
    void statusAdvertisesTheSupplementalGroupsPolicy() {
        assertTrue(berth.client().runtime().status(StatusRequest.getDefaultInstance()).getFeatures()
                .getSupplementalGroupsPolicy());
    }
}
