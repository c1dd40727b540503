package dev.berth.runtime.host.oci;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SourcePropagationTest {

    static final String MOUNTINFO = String.join("\n",
            "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
            "30 22 0:40 / /srv/private rw,relatime - tmpfs tmpfs rw",
            "31 22 0:41 / /srv/slave rw,relatime master:7 - tmpfs tmpfs rw",
            "32 22 0:42 / /srv/with\\040space rw shared:9 master:3 - tmpfs tmpfs rw",
            "33 30 0:43 / /srv/private/inner rw shared:12 - tmpfs tmpfs rw");

    final SourcePropagation table = new SourcePropagation(MOUNTINFO);

    @Test
    void theDeepestMountHoldingThePathDecides() {
        assertEquals(new SourcePropagation.HostMount("/", true, false), table.mountOf(Path.of("/var/lib")));
        assertEquals(new SourcePropagation.HostMount("/srv/private", false, false),
                table.mountOf(Path.of("/srv/private/data")));
        assertEquals(new SourcePropagation.HostMount("/srv/private/inner", true, false),
                table.mountOf(Path.of("/srv/private/inner/x")));
        assertEquals(new SourcePropagation.HostMount("/srv/with space", true, true),
                table.mountOf(Path.of("/srv/with space/d")));
        // A sibling whose name only starts like a mount point is not under it.
        assertEquals("/", table.mountOf(Path.of("/srv/privateer")).mountPoint());
    }

    @Test
    void bidirectionalNeedsSharedAndHostToContainerSharedOrSlave() {
        BerthException e = assertThrows(BerthException.class,
                () -> table.requireShared(Path.of("/srv/private/d"), "config.mounts[0].host_path"));
        assertEquals(BerthException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().contains("/srv/private/d"), e.getMessage());
        assertTrue(e.getMessage().contains("not a shared mount"), e.getMessage());
        assertThrows(BerthException.class, () -> table.requireShared(Path.of("/srv/slave/d"), "f"));
        assertDoesNotThrow(() -> table.requireShared(Path.of("/etc"), "f"));
        assertDoesNotThrow(() -> table.requireSharedOrSlave(Path.of("/srv/slave/d"), "f"));
        assertThrows(BerthException.class, () -> table.requireSharedOrSlave(Path.of("/srv/private"), "f"));
    }
}
