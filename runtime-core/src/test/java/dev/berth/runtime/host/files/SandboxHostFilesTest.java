package dev.berth.runtime.host.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.common.exec.Command;
import dev.berth.runtime.host.ns.NamespaceKind;
import dev.berth.runtime.host.ns.NamespacePins;
import dev.berth.runtime.host.ns.PinnedNamespaces;
import dev.berth.common.fs.MountTable;
import dev.berth.runtime.testing.TestHost;
import dev.berth.runtime.testing.TestIds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Root-only: the shm tmpfs and sysctls written inside pinned namespaces. */
@Tag("host")
class SandboxHostFilesTest {

    @Test
    void shmIsASizedTmpfsAndUnmountIsIdempotent() throws Exception {
        try (TestHost host = TestHost.create()) {
            Path sandboxDir = host.dir("sandboxes/" + TestIds.id64());
            SandboxShm shm = new SandboxShm(8L * 1024 * 1024);
            host.onClose(() -> shm.unmount(sandboxDir));
            Path mounted = shm.mount(sandboxDir);
            assertEquals(sandboxDir.resolve("shm"), mounted);
            assertEquals(mounted, shm.mount(sandboxDir), "mount is idempotent");
            MountTable.Entry entry = MountTable.current().entries().stream()
                    .filter(e -> e.mountPoint().equals(mounted)).findFirst().orElseThrow();
            assertEquals("tmpfs", entry.fsType());
            assertTrue(entry.superOptions().contains("size=8192k"), entry.superOptions());
            assertEquals(1, MountTable.current().under(mounted).size(), "mounting twice does not stack");
            Files.writeString(mounted.resolve("segment"), "x");

            shm.unmount(sandboxDir);
            shm.unmount(sandboxDir);
            assertFalse(MountTable.current().isMountPoint(mounted));
            assertFalse(Files.exists(mounted));
        }
    }

    @Test
    void sysctlsAreWrittenInThePodsNamespacesOnly() {
        try (TestHost host = TestHost.create()) {
            NamespacePins pins = host.pins();
            String id = TestIds.id64();
            host.onClose(() -> pins.unpin(id));
            PinnedNamespaces pinned = pins.pin(id, EnumSet.of(NamespaceKind.NET, NamespaceKind.IPC, NamespaceKind.UTS), List.of());
            String hostPortStart = read(null, "net/ipv4/ip_unprivileged_port_start");
            String hostShmmni = read(null, "kernel/shmmni");

            Map<String, String> sysctls = new LinkedHashMap<>();
            sysctls.put("net.ipv4.ip_unprivileged_port_start", "53");
            sysctls.put("kernel.shmmni", "1024");
            sysctls.put("net.ipv4.ip_local_port_range", "20000 30000");
            new SandboxSysctls().apply(pinned, sysctls);

            assertEquals("53", read("--net=" + pinned.net(), "net/ipv4/ip_unprivileged_port_start"));
            assertEquals("1024", read("--ipc=" + pinned.ipc(), "kernel/shmmni"));
            assertEquals("20000\t30000", read("--net=" + pinned.net(), "net/ipv4/ip_local_port_range"));
            assertEquals(hostPortStart, read(null, "net/ipv4/ip_unprivileged_port_start"));
            assertEquals(hostShmmni, read(null, "kernel/shmmni"));
            pins.unpin(id);
        }
    }

    @Test
    void rejectedSysctlsNameTheKey() {
        try (TestHost host = TestHost.create()) {
            NamespacePins pins = host.pins();
            String id = TestIds.id64();
            host.onClose(() -> pins.unpin(id));
            PinnedNamespaces pinned = pins.pin(id, Set.of(NamespaceKind.NET, NamespaceKind.IPC), List.of());
            SandboxSysctls sysctls = new SandboxSysctls();
            BerthException notNamespaced = assertThrows(BerthException.class,
                    () -> sysctls.apply(pinned, Map.of("vm.swappiness", "1")));
            assertEquals(BerthException.Kind.INVALID_ARGUMENT, notNamespaced.kind());
            assertTrue(notNamespaced.getMessage().contains("vm.swappiness"));
            BerthException unknown = assertThrows(BerthException.class,
                    () -> sysctls.apply(pinned, Map.of("net.ipv4.no_such_knob", "1")));
            assertEquals(BerthException.Kind.INVALID_ARGUMENT, unknown.kind());
            assertTrue(unknown.getMessage().contains("net.ipv4.no_such_knob"), unknown.getMessage());
            BerthException utsNotPinned = assertThrows(BerthException.class,
                    () -> sysctls.apply(pinned, Map.of("kernel.domainname", "x")));
            assertTrue(utsNotPinned.getMessage().contains("kernel.domainname"));
            pins.unpin(id);
        }
    }

    private static String read(String nsFlag, String key) {
        if (nsFlag == null) {
            return Command.of("cat", "/proc/sys/" + key).check().stdoutText().strip();
        }
        return Command.of("nsenter", nsFlag, "cat", "/proc/sys/" + key).check().stdoutText().strip();
    }
}
