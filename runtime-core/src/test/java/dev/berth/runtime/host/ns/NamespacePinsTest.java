package dev.berth.runtime.host.ns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.common.exec.Command;
import dev.berth.common.fs.MountTable;
import dev.berth.runtime.testing.OwnThreads;
import dev.berth.runtime.testing.TestHost;
import dev.berth.runtime.testing.TestIds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("host")
class NamespacePinsTest {

    static final EnumSet<NamespaceKind> THREE = EnumSet.of(NamespaceKind.NET, NamespaceKind.IPC, NamespaceKind.UTS);

    @Test
    void aPodsOwnUserNamespaceIsPinnedWithItsMappingAndOwnsTheOthers() {
        try (TestHost host = TestHost.create()) {
            NamespacePins pins = host.pins();
            String id = TestIds.id64();
            host.onClose(() -> pins.unpin(id));
            UserNamespaceMapping mapping = new UserNamespaceMapping(1_000_000, 65536, 1_000_000, 65536);
            PinnedNamespaces pinned = pins.pin(id, EnumSet.allOf(NamespaceKind.class),
                    List.of("addr add 10.250.0.3/24 dev lo"), mapping);
            for (NamespaceKind kind : NamespaceKind.values()) {
                assertTrue(MountTable.current().isMountPoint(pinned.path(kind).orElseThrow()), kind.name());
            }
            String user = "--user=" + pinned.user();
            assertEquals("0 1000000 65536", Command.of("nsenter", user, "cat", "/proc/self/uid_map").check()
                    .stdoutText().strip().replaceAll("\\s+", " "));
            // Root of the pod's user namespace may enter its network namespace: the user namespace owns it.
            String addresses = Command.of("nsenter", user, "--net=" + pinned.net(), "ip", "-o", "addr", "show",
                    "lo").check().stdoutText();
            assertTrue(addresses.contains("10.250.0.3/24"), addresses);
            assertTrue(Command.of("nsenter", user, "--ipc=" + pinned.ipc(), "--uts=" + pinned.uts(), "true").run()
                    .succeeded());

            pins.unpin(id);
            for (NamespaceKind kind : NamespaceKind.values()) {
                assertFalse(Files.exists(pinned.path(kind).orElseThrow()), kind.name());
            }
        }
    }

    @Test
    void pinsAllThreeRunsTheNetnsCommandsInsideThenUnpins() {
        try (TestHost host = TestHost.create()) {
            NamespacePins pins = host.pins();
            String id = TestIds.id64();
            host.onClose(() -> pins.unpin(id));
            PinnedNamespaces pinned = pins.pin(id, THREE,
                    List.of("link add eth0 type veth peer name peer0", "addr add 10.250.0.2/24 dev eth0",
                            "link set eth0 up"));

            assertEquals(host.stateDir().resolve("ns/net/" + id), pinned.net());
            MountTable mounts = MountTable.current();
            for (NamespaceKind kind : THREE) {
                assertTrue(mounts.isMountPoint(pinned.path(kind).orElseThrow()), kind.name());
            }
            assertTrue(mounts.isMountPoint(host.stateDir().resolve("ns")), "pin root is its own mount");
            String lo = Command.of("nsenter", "--net=" + pinned.net(), "ip", "-o", "link", "show", "lo").check()
                    .stdoutText();
            assertTrue(lo.contains("LOOPBACK,UP"), lo);
            String addresses = Command.of("nsenter", "--net=" + pinned.net(), "ip", "-o", "addr", "show", "eth0")
                    .check().stdoutText();
            assertTrue(addresses.contains("10.250.0.2/24"), addresses);
            assertFalse(Command.of("ip", "link", "show", "peer0").run().succeeded(), "made inside the new netns");
            assertEquals(pinned, pins.find(id));

            pins.unpin(id);
            pins.unpin(id);
            for (NamespaceKind kind : THREE) {
                Path file = pinned.path(kind).orElseThrow();
                assertFalse(Files.exists(file), file.toString());
                assertFalse(MountTable.current().isMountPoint(file));
            }
            assertEquals(PinnedNamespaces.none(id), pins.find(id));
        }
    }

    @Test
    void withoutCommandsTheDaemonMakesTheNamespacesAndNoneOfItsThreadsStaysInThem() throws Exception {
        try (TestHost host = TestHost.create()) {
            NamespacePins pins = host.pins();
            String id = TestIds.id64();
            host.onClose(() -> pins.unpin(id));
            PinnedNamespaces pinned = pins.pin(id, THREE, List.of());

            for (NamespaceKind kind : THREE) {
                Object pod = Files.readAttributes(pinned.path(kind).orElseThrow(), "unix:ino").get("ino");
                Object daemon = Files.readAttributes(Path.of("/proc/self/ns/" + kind.dirName()), "unix:ino")
                        .get("ino");
                assertNotEquals(daemon, pod, kind + " is a new namespace");
                OwnThreads.awaitNoneIn(kind.dirName(), pinned.path(kind).orElseThrow());
            }
            String lo = Command.of("nsenter", "--net=" + pinned.net(), "ip", "-o", "link", "show", "lo").check()
                    .stdoutText();
            assertTrue(lo.contains("LOOPBACK,UP"), lo);
            pins.unpin(id);
        }
    }

    @Test
    void nodeModeKindsAreNotPinned() {
        try (TestHost host = TestHost.create()) {
            NamespacePins pins = host.pins();
            String id = TestIds.id64();
            host.onClose(() -> pins.unpin(id));
            PinnedNamespaces pinned = pins.pin(id, Set.of(NamespaceKind.IPC), List.of());
            assertNull(pinned.net());
            assertNull(pinned.uts());
            assertTrue(MountTable.current().isMountPoint(pinned.ipc()));
            assertFalse(Files.exists(pins.pinPath(NamespaceKind.NET, id)));
            assertEquals(PinnedNamespaces.none("x"), pins.pin("x", Set.of(), List.of()));
            pins.unpin(id);
        }
    }

    @Test
    void netOnlyPinBringsLoopbackUp() {
        try (TestHost host = TestHost.create()) {
            NamespacePins pins = host.pins();
            String id = TestIds.id64();
            host.onClose(() -> pins.unpin(id));
            PinnedNamespaces pinned = pins.pin(id, Set.of(NamespaceKind.NET), List.of());
            String lo = Command.of("nsenter", "--net=" + pinned.net(), "ip", "-o", "link", "show", "lo").check()
                    .stdoutText();
            assertTrue(lo.contains("LOOPBACK,UP"), lo);
            String links = Command.of("nsenter", "--net=" + pinned.net(), "ip", "-o", "link").check().stdoutText();
            assertEquals(1, links.strip().split("\n").length, "a fresh netns has only lo: " + links);
            pins.unpin(id);
        }
    }

    @Test
    void pinningTwiceIsAlreadyExistsAndKeepsTheFirstPin() {
        try (TestHost host = TestHost.create()) {
            NamespacePins pins = host.pins();
            String id = TestIds.id64();
            host.onClose(() -> pins.unpin(id));
            PinnedNamespaces first = pins.pin(id, Set.of(NamespaceKind.NET), List.of());
            BerthException e = assertThrows(BerthException.class,
                    () -> pins.pin(id, Set.of(NamespaceKind.NET), List.of()));
            assertEquals(BerthException.Kind.ALREADY_EXISTS, e.kind());
            assertTrue(MountTable.current().isMountPoint(first.net()));
            pins.unpin(id);
        }
    }

    @Test
    void badInputsAreRejectedBeforeAnythingHappens() {
        try (TestHost host = TestHost.create()) {
            NamespacePins pins = host.pins();
            assertEquals(BerthException.Kind.INVALID_ARGUMENT, assertThrows(BerthException.class,
                    () -> pins.pin("../x", Set.of(NamespaceKind.NET), List.of())).kind());
        }
    }

    @Test
    void aFailingNetnsCommandLeavesNoPin() {
        try (TestHost host = TestHost.create()) {
            NamespacePins pins = host.pins();
            String id = TestIds.id64();
            host.onClose(() -> pins.unpin(id));
            BerthException e = assertThrows(BerthException.class, () -> pins.pin(id,
                    THREE, List.of("link set no-such-link up")));
            assertEquals(BerthException.Kind.INTERNAL, e.kind());
            assertTrue(e.getMessage().contains("no-such-link"), e.getMessage());
            for (NamespaceKind kind : THREE) {
                assertFalse(Files.exists(pins.pinPath(kind, id)), kind.name());
            }
        }
    }
}
