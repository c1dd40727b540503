package dev.berth.runtime.host.ns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.common.exec.Command;
import dev.berth.common.fs.MountTable;
import dev.berth.runtime.testing.TestHost;
import dev.berth.runtime.testing.TestIds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("host")
class NamespacePinsTest {

    @Test
    void pinsAllThreeWithHostnameAndLoopbackUpThenUnpins() {
        try (TestHost host = TestHost.create()) {
            NamespacePins pins = host.pins();
            String id = TestIds.id64();
            host.onClose(() -> pins.unpin(id));
            PinnedNamespaces pinned = pins.pin(id, EnumSet.allOf(NamespaceKind.class), "web-0");

            assertEquals(host.stateDir().resolve("ns/net/" + id), pinned.net());
            MountTable mounts = MountTable.current();
            for (NamespaceKind kind : NamespaceKind.values()) {
                assertTrue(mounts.isMountPoint(pinned.path(kind).orElseThrow()), kind.name());
            }
            assertTrue(mounts.isMountPoint(host.stateDir().resolve("ns")), "pin root is its own mount");
            String lo = Command.of("nsenter", "--net=" + pinned.net(), "ip", "-o", "link", "show", "lo").check()
                    .stdoutText();
            assertTrue(lo.contains("LOOPBACK,UP"), lo);
            String links = Command.of("nsenter", "--net=" + pinned.net(), "ip", "-o", "link").check().stdoutText();
            assertEquals(1, links.strip().split("\n").length, "a fresh netns has only lo: " + links);
            assertEquals("web-0", Command.of("nsenter", "--uts=" + pinned.uts(), "hostname").check().stdoutText()
                    .strip());
            assertEquals(pinned, pins.find(id));

            pins.unpin(id);
            pins.unpin(id);
            for (NamespaceKind kind : NamespaceKind.values()) {
                Path file = pinned.path(kind).orElseThrow();
                assertFalse(Files.exists(file), file.toString());
                assertFalse(MountTable.current().isMountPoint(file));
            }
            assertEquals(PinnedNamespaces.none(id), pins.find(id));
        }
    }

    @Test
    void nodeModeKindsAreNotPinned() {
        try (TestHost host = TestHost.create()) {
            NamespacePins pins = host.pins();
            String id = TestIds.id64();
            host.onClose(() -> pins.unpin(id));
            PinnedNamespaces pinned = pins.pin(id, Set.of(NamespaceKind.IPC), "ignored");
            assertNull(pinned.net());
            assertNull(pinned.uts());
            assertTrue(MountTable.current().isMountPoint(pinned.ipc()));
            assertFalse(Files.exists(pins.pinPath(NamespaceKind.NET, id)));
            assertEquals(PinnedNamespaces.none("x"), pins.pin("x", Set.of(), "h"));
            pins.unpin(id);
        }
    }

    @Test
    void netOnlyPinBringsLoopbackUp() {
        try (TestHost host = TestHost.create()) {
            NamespacePins pins = host.pins();
            String id = TestIds.id64();
            host.onClose(() -> pins.unpin(id));
            PinnedNamespaces pinned = pins.pin(id, Set.of(NamespaceKind.NET), "");
            String lo = Command.of("nsenter", "--net=" + pinned.net(), "ip", "-o", "link", "show", "lo").check()
                    .stdoutText();
            assertTrue(lo.contains("LOOPBACK,UP"), lo);
            pins.unpin(id);
        }
    }

    @Test
    void pinningTwiceIsAlreadyExistsAndKeepsTheFirstPin() {
        try (TestHost host = TestHost.create()) {
            NamespacePins pins = host.pins();
            String id = TestIds.id64();
            host.onClose(() -> pins.unpin(id));
            PinnedNamespaces first = pins.pin(id, Set.of(NamespaceKind.NET), "a");
            BerthException e = assertThrows(BerthException.class, () -> pins.pin(id, Set.of(NamespaceKind.NET), "a"));
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
                    () -> pins.pin("../x", Set.of(NamespaceKind.NET), "a")).kind());
            assertEquals(BerthException.Kind.INVALID_ARGUMENT, assertThrows(BerthException.class,
                    () -> pins.pin(TestIds.id64(), Set.of(NamespaceKind.UTS), "bad host name")).kind());
        }
    }
}
