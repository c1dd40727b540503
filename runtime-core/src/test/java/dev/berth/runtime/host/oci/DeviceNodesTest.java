package dev.berth.runtime.host.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceNodesTest {

    @TempDir
    Path tmp;

    @Test
    void aDirectoryWithMoreEntriesThanADeviceTreeIsRefusedNotWalked() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("many"));
        for (int i = 0; i < 16_384; i++) {
            Files.createFile(dir.resolve("f" + i));
        }
        BerthException e = assertThrows(BerthException.class, () -> DeviceNodes.describe(dir.toString(), "", ""));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().startsWith(dir + " holds more than 16384 entries"), e.getMessage());
    }

    @Test
    void entriesThatCannotBeReadAreSkipped() {
        // Even root may not list another process's fdinfo without ptrace rights over it; this used to escape as an
        // UncheckedIOException.
        assertEquals(List.of(), DeviceNodes.describe("/proc/1/task/1", "", ""));
    }

    @Test
    void aSingleNodeIsDescribedAtItsContainerPath() {
        var null0 = DeviceNodes.describe("/dev/null", "/dev/x", "rw");
        assertEquals(1, null0.size());
        assertEquals("/dev/x", null0.get(0).device().path());
        assertEquals(1, null0.get(0).device().major());
        assertEquals(3, null0.get(0).device().minor());
    }
}
