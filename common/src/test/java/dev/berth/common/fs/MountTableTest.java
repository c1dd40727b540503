package dev.berth.common.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MountTableTest {

    @Test
    void parsesFieldsAndUnescapesOctal() {
        MountTable table = MountTable.parse(
                "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard\n"
                        + "99 27 0:50 / /run/with\\040space rw shared:5 master:1 - tmpfs shm rw,size=65536k\n");
        assertEquals(2, table.entries().size());
        MountTable.Entry shm = table.entries().get(1);
        assertEquals(Path.of("/run/with space"), shm.mountPoint());
        assertEquals("tmpfs", shm.fsType());
        assertEquals("shm", shm.source());
        assertEquals("rw,size=65536k", shm.superOptions());
        assertTrue(table.isMountPoint(Path.of("/run/with space")));
        assertFalse(table.isMountPoint(Path.of("/run")));
        assertEquals(1, table.under(Path.of("/run")).size());
    }

    @Test
    void readsThisProcessesMounts() {
        assertTrue(MountTable.current().isMountPoint(Path.of("/")));
    }
}
