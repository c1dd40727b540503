package dev.berth.image.it;

import dev.berth.common.error.BerthException;
import dev.berth.common.exec.Command;
import dev.berth.image.ImageRecord;
import dev.berth.image.ImageStore;
import dev.berth.image.LayerUsage;
import dev.berth.image.RegistryCredentials;
import dev.berth.image.Rootfs;
import dev.berth.image.layer.NativeFs;
import dev.berth.common.fs.MountTable;
import dev.berth.image.support.StoreFixture;
import dev.berth.testing.image.BusyboxImages;
import dev.berth.testing.image.ExpectedPath;
import dev.berth.testing.image.ExpectedTree;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

import static dev.berth.image.support.StoreFixture.inMinutes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Container root filesystems: real overlay mounts of pulled layers. */
@Tag("host")
class RootfsTest {

    private static final String CID = "c0ffee" + "0".repeat(58);
    private static TestRegistry registry;
    private final NativeFs fs = NativeFs.load();

    @BeforeAll
    static void startRegistry() {
        registry = TestRegistry.start();
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    private static ImageRecord pull(ImageStore store, PushedImage image) {
        return store.pull(image.reference(), RegistryCredentials.anonymous(), inMinutes(2));
    }

    @Test
    void mountsARunnableBusyboxRootfs() throws Exception {
        PushedImage image = BusyboxImages.busybox(registry, "rootfs/busybox", "latest");
        try (StoreFixture fixture = StoreFixture.insecure(registry.address())) {
            ImageStore store = fixture.store();
            ImageRecord record = pull(store, image);
            Rootfs rootfs = store.mountRootfs(CID, image.reference());

            assertEquals(fixture.root().resolve("overlay2/containers").resolve(CID).resolve("merged"), rootfs.path());
            assertEquals(record.id(), rootfs.imageId());
            assertEquals(List.of("sh"), rootfs.config().cmd());
            assertTrue(MountTable.current().isMountPoint(rootfs.path()));
            String out = Command.of("chroot", rootfs.path().toString(), "/bin/sh", "-c", "echo hello > /tmp/x; cat /tmp/x")
                    .check().stdoutText();
            assertEquals("hello\n", out);
            Path upper = fixture.root().resolve("overlay2/containers").resolve(CID).resolve("diff");
            assertEquals("hello\n", Files.readString(upper.resolve("tmp/x")));
            LayerUsage usage = store.writableLayerUsage(CID);
            assertEquals(upper, usage.mountpoint());
            assertTrue(usage.usedBytes() >= 4096, "bytes " + usage.usedBytes());
            assertTrue(usage.inodesUsed() >= 3, "inodes " + usage.inodesUsed());
            assertTrue(usage.timestampNanos() > 1_600_000_000L * 1_000_000_000L);

            // Same container and image again: the same rootfs; by ID works too.
            assertEquals(rootfs, store.mountRootfs(CID, record.id()));
            store.unmountRootfs(CID);
            assertFalse(MountTable.current().isMountPoint(rootfs.path()));
            assertFalse(Files.exists(rootfs.path().getParent()));
            store.unmountRootfs(CID);
            assertThrows(BerthException.class, () -> store.writableLayerUsage(CID));
        }
    }

    @Test
    void anExitedContainersRootfsIsUnmountedKeepingItsLayerThenRemovedThroughTheTrash() throws Exception {
        PushedImage image = BusyboxImages.busybox(registry, "rootfs/exited", "latest");
        try (StoreFixture fixture = StoreFixture.insecure(registry.address())) {
            ImageStore store = fixture.store();
            pull(store, image);
            Rootfs rootfs = store.mountRootfs(CID, image.reference());
            Files.writeString(rootfs.path().resolve("tmp/out"), "written while running");
            Path dir = rootfs.path().getParent();

            store.unmountExited(CID);
            assertFalse(MountTable.current().isMountPoint(rootfs.path()));
            assertEquals("written while running", Files.readString(dir.resolve("diff/tmp/out")));
            assertTrue(store.writableLayerUsage(CID).usedBytes() > 0);
            store.unmountExited(CID);

            store.unmountRootfs(CID);
            assertFalse(Files.exists(dir));
            // Closing waits for the trash's deletions.
            fixture.reopen();
            Path trash = fixture.root().resolve("overlay2/trash");
            try (var entries = Files.list(trash)) {
                assertEquals(List.of(), entries.toList());
            }
        }
    }

    @Test
    void mergedViewHonoursWhiteoutsOpaqueDirsOwnersAndModes() throws Exception {
        PushedImage image = BusyboxImages.multiLayerWithWhiteouts(registry, "rootfs/multilayer", "latest");
        try (StoreFixture fixture = StoreFixture.insecure(registry.address())) {
            ImageStore store = fixture.store();
            pull(store, image);
            Rootfs rootfs = store.mountRootfs(CID, image.reference());
            assertEquals("/data", rootfs.config().workingDir());
            ExpectedTree expected = BusyboxImages.multiLayerExpectations();
            for (ExpectedPath e : expected.present()) {
                Path p = rootfs.path().resolve(e.path().substring(1));
                NativeFs.Stat st = fs.lstat(p);
                assertEquals(e.mode(), st.mode() & 07777, e.path());
                assertEquals(e.uid(), st.uid(), e.path());
                assertEquals(e.gid(), st.gid(), e.path());
                int type = switch (e.kind()) {
                    case FILE -> NativeFs.S_IFREG;
                    case DIRECTORY -> NativeFs.S_IFDIR;
                    case SYMLINK -> NativeFs.S_IFLNK;
                    case FIFO -> NativeFs.S_IFIFO;
                    case CHAR_DEVICE -> NativeFs.S_IFCHR;
                    case BLOCK_DEVICE -> NativeFs.S_IFBLK;
                    case HARDLINK -> NativeFs.S_IFREG;
                };
                assertEquals(type, st.type(), e.path());
                if (e.content() != null) {
                    assertEquals(e.content(), Files.readString(p), e.path());
                }
                if (e.linkTarget() != null) {
                    assertEquals(e.linkTarget(), Files.readSymbolicLink(p).toString(), e.path());
                }
            }
            for (String absent : expected.absent()) {
                assertFalse(Files.exists(rootfs.path().resolve(absent.substring(1)), LinkOption.NOFOLLOW_LINKS),
                        absent);
            }
            assertEquals(fs.lstat(rootfs.path().resolve("data/hardlink.txt")).ino(),
                    fs.lstat(rootfs.path().resolve("data/hardlink-target.txt")).ino());
            assertEquals("yes", new String(fs.lgetxattr(rootfs.path().resolve("data/xattr.txt"), "user.berth")
                    .orElseThrow(), StandardCharsets.UTF_8));
            List<String> replaced;
            try (var list = Files.list(rootfs.path().resolve("data/replaced"))) {
                replaced = list.map(p -> p.getFileName().toString()).toList();
            }
            assertEquals(List.of("new.txt"), replaced);
            store.unmountRootfs(CID);
        }
    }

    @Test
    void sixtyLayersMountWithinTheOptionLimit() throws Exception {
        PushedImage image = BusyboxImages.manyLayers(registry, "rootfs/sixty", "latest", 60);
        try (StoreFixture fixture = StoreFixture.insecure(registry.address())) {
            ImageStore store = fixture.store();
            ImageRecord record = pull(store, image);
            assertEquals(60, record.chainIds().size());
            Rootfs rootfs = store.mountRootfs(CID, record.id());
            for (int i = 1; i < 60; i++) {
                assertEquals("layer " + i + "\n", Files.readString(rootfs.path().resolve(String.format("layers/%03d", i))));
            }
            assertTrue(Files.isRegularFile(rootfs.path().resolve("bin/busybox")));
            String top = record.chainIds().get(59).substring(7);
            String lower = Files.readString(fixture.root().resolve("overlay2").resolve(top).resolve("lower"));
            assertEquals(59, lower.split(":").length);
            assertTrue(lower.startsWith("l/"));
            store.unmountRootfs(CID);
        }
    }

    @Test
    void layersOfAMountedRootfsOutliveTheImageAndARestart() throws Exception {
        PushedImage image = BusyboxImages.multiLayerWithWhiteouts(registry, "rootfs/outlive", "latest");
        try (StoreFixture fixture = StoreFixture.insecure(registry.address())) {
            ImageStore store = fixture.store();
            ImageRecord record = pull(store, image);
            Rootfs rootfs = store.mountRootfs(CID, image.reference());
            store.remove(image.reference());
            assertTrue(store.find(record.id()).isEmpty());
            for (String chain : record.chainIds()) {
                assertTrue(Files.isDirectory(fixture.root().resolve("overlay2").resolve(chain.substring(7))));
            }
            assertEquals("kept from layer 2\n", Files.readString(rootfs.path().resolve("data/keep.txt")));

            // A restarted store knows the rootfs, keeps its layers and leaves the mount alone.
            ImageStore reopened = fixture.reopen();
            assertEquals(rootfs, reopened.rootfs(CID).orElseThrow());
            assertTrue(MountTable.current().isMountPoint(rootfs.path()));
            for (String chain : record.chainIds()) {
                assertTrue(Files.isDirectory(fixture.root().resolve("overlay2").resolve(chain.substring(7))));
            }
            reopened.unmountRootfs(CID);
            for (String chain : record.chainIds()) {
                assertFalse(Files.exists(fixture.root().resolve("overlay2").resolve(chain.substring(7))));
            }
            assertEquals(0, reopened.fsUsage().usedBytes());
        }
    }

    @Test
    void aRecordedRootfsIsMountedAgainAtStartupAndStrayDirsGo() throws Exception {
        PushedImage image = BusyboxImages.busybox(registry, "rootfs/remount", "latest");
        try (StoreFixture fixture = StoreFixture.insecure(registry.address())) {
            ImageStore store = fixture.store();
            pull(store, image);
            Rootfs rootfs = store.mountRootfs(CID, image.reference());
            Files.writeString(rootfs.path().resolve("tmp/state"), "written before the reboot");
            Command.of("umount", rootfs.path().toString()).check(); // as after a reboot
            Path stray = fixture.root().resolve("overlay2/containers/stray");
            Files.createDirectories(stray.resolve("diff"));

            ImageStore reopened = fixture.reopen();
            assertTrue(MountTable.current().isMountPoint(rootfs.path()));
            assertEquals("written before the reboot", Files.readString(rootfs.path().resolve("tmp/state")));
            assertFalse(Files.exists(stray));
            reopened.unmountRootfs(CID);
        }
    }

    @Test
    void mountRootfsChecksItsArguments() {
        PushedImage image = BusyboxImages.busybox(registry, "rootfs/args", "latest");
        PushedImage other = BusyboxImages.busyboxImage().cmd("other").push(registry, "rootfs/args", "other");
        try (StoreFixture fixture = StoreFixture.insecure(registry.address())) {
            ImageStore store = fixture.store();
            pull(store, image);
            pull(store, other);
            assertEquals(BerthException.Kind.NOT_FOUND, assertThrows(BerthException.class,
                    () -> store.mountRootfs(CID, "missing:latest")).kind());
            assertEquals(BerthException.Kind.INVALID_ARGUMENT, assertThrows(BerthException.class,
                    () -> store.mountRootfs("../escape", image.reference())).kind());
            store.mountRootfs(CID, image.reference());
            assertEquals(BerthException.Kind.ALREADY_EXISTS, assertThrows(BerthException.class,
                    () -> store.mountRootfs(CID, other.reference())).kind());
            store.unmountRootfs(CID);
        }
    }

}
