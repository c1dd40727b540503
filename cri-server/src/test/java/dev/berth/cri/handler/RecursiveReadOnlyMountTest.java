package dev.berth.cri.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.exec.Command;
import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.cri.testing.Leftovers;
import dev.berth.proto.runtime.v1.ExecSyncResponse;
import dev.berth.proto.runtime.v1.ListContainersRequest;
import dev.berth.proto.runtime.v1.Mount;
import dev.berth.proto.runtime.v1.MountPropagation;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code Mount.recursive_read_only}: a read-only bind of a host directory with a submount (a tmpfs this test mounts
 * under its own directory) keeps the submount read-only inside the container too, and nothing berth staged for it
 * stays mounted once the container is removed.
 */
@Tag("host")
class RecursiveReadOnlyMountTest {

    static final TestRegistry registry = TestRegistry.start();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n");

    static TestPod pod;

    @BeforeAll
    static void pullAndRunPod() {
        PushedImage busybox = berth.pullBusybox(registry, "rro/busybox");
        pod = TestPod.run(berth, busybox.imageId(), "rro", false);
    }

    @AfterAll
    static void removePodAndCheckLeftovers() {
        pod.close();
        registry.close();
        berth.stopDaemon();
        berth.assertNothingLeft();
    }

    @Test
    void aSubmountIsReadOnlyInsideOnlyWhenTheMountIsRecursivelyReadOnly() throws Exception {
        Path dir = Files.createDirectories(berth.home().resolve("rro-source"));
        Path sub = Files.createDirectories(dir.resolve("sub"));
        Command.of("mount", "-t", "tmpfs", "rro-sub", sub.toString()).check();
        try {
            Files.writeString(sub.resolve("seen"), "from the host\n");
            String recursive = pod.run(pod.container("recursive").addMounts(Mount.newBuilder()
                    .setContainerPath("/data").setHostPath(dir.toString()).setReadonly(true)
                    .setRecursiveReadOnly(true)));
            String plain = pod.run(pod.container("plain").addMounts(Mount.newBuilder()
                    .setContainerPath("/data").setHostPath(dir.toString()).setReadonly(true)));
            try {
                assertEquals("from the host\n", pod.exec(recursive, "cat", "/data/sub/seen"));
                assertReadOnly(pod.execSync(recursive, "touch", "/data/top"));
                assertReadOnly(pod.execSync(recursive, "touch", "/data/sub/written"));
                assertTrue(Files.notExists(sub.resolve("written")));
                // Without recursive_read_only only the top is read-only (what runc does alone): the check above
                // can fail.
                pod.exec(plain, "touch", "/data/sub/written");
                assertTrue(Files.exists(sub.resolve("written")));
            } finally {
                pod.remove(recursive);
                pod.remove(plain);
            }
            assertEquals(List.of(berth.state().resolve("mounts")), Leftovers.mountsUnder(berth.state()
                    .resolve("mounts")), "staged mounts left behind");
            try (var staged = Files.list(berth.state().resolve("mounts"))) {
                assertEquals(List.of(), staged.toList(), "staging directories left behind");
            }
        } finally {
            Command.of("umount", sub.toString()).check();
            Files.delete(sub);
            Files.delete(dir);
        }
    }

    @Test
    void recursiveReadOnlyThatIsWritableOrNotPrivateIsInvalidAndCreatesNothing() throws Exception {
        Path dir = Files.createDirectories(berth.home().resolve("rro-invalid"));
        try {
            int before = containerCount();
            for (Mount.Builder mount : List.of(
                    Mount.newBuilder().setRecursiveReadOnly(true).setReadonly(false),
                    Mount.newBuilder().setRecursiveReadOnly(true).setReadonly(true)
                            .setPropagation(MountPropagation.PROPAGATION_HOST_TO_CONTAINER),
                    Mount.newBuilder().setRecursiveReadOnly(true).setReadonly(true)
                            .setPropagation(MountPropagation.PROPAGATION_BIDIRECTIONAL))) {
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> pod.create(
                        pod.container("invalid").addMounts(mount.setContainerPath("/data")
                                .setHostPath(dir.toString()))));
                assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getMessage());
                assertTrue(e.getStatus().getDescription().contains("recursive_read_only"), e.getMessage());
            }
            assertEquals(before, containerCount());
            try (var staged = Files.list(berth.state().resolve("mounts"))) {
                assertEquals(List.of(), staged.toList());
            }
        } finally {
            Files.delete(dir);
        }
    }

    @Test
    void aStagedMountNoContainerOwnsIsUnmountedAtRestart() throws Exception {
        Path source = Files.createDirectories(berth.home().resolve("rro-orphan"));
        // What a daemon killed between staging and its record would leave: a staged bind for an unknown ID.
        Path staged = Files.createDirectories(berth.state().resolve("mounts").resolve("ab".repeat(32))
                .resolve("0"));
        Command.of("mount", "--rbind", "-o", "ro", source.toString(), staged.toString()).check();
        try {
            berth.restartDaemon();
            assertEquals(List.of(berth.state().resolve("mounts")), Leftovers.mountsUnder(berth.state()
                    .resolve("mounts")), "the orphan staged mount is still mounted");
            assertTrue(Files.notExists(staged.getParent()), "the orphan staging directory is still there");
        } finally {
            if (Leftovers.mountsUnder(staged).contains(staged)) {
                Command.of("umount", "-l", staged.toString()).check();
            }
            Files.delete(source);
        }
    }

    private static void assertReadOnly(ExecSyncResponse write) {
        assertNotEquals(0, write.getExitCode());
        assertTrue(write.getStderr().toStringUtf8().contains("Read-only file system"),
                write.getStderr().toStringUtf8());
    }

    private static int containerCount() {
        return berth.client().runtime().listContainers(ListContainersRequest.getDefaultInstance())
                .getContainersCount();
    }
}
