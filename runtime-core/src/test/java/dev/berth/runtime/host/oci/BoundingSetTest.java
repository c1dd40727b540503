package dev.berth.runtime.host.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BoundingSetTest {

    @Test
    void bitsAreCapabilityNumbers() {
        assertEquals(List.of("CAP_CHOWN", "CAP_NET_ADMIN", "CAP_SYS_RESOURCE", "CAP_CHECKPOINT_RESTORE"),
                BoundingSet.fromMask((1L << 0) | (1L << 12) | (1L << 24) | (1L << 40)).capabilities());
    }

    @Test
    void bitsBeyondTheKnownNamesAreSkipped() {
        assertEquals(List.of("CAP_KILL"), BoundingSet.fromMask((1L << 5) | (1L << 41) | (1L << 63)).capabilities());
    }

    @Test
    void capBndLineOfAProcessStatus() {
        BoundingSet set = BoundingSet.fromStatus("Name:\tjava\nCapInh:\t0000000000000000\n"
                + "CapPrm:\t000001fffeffffff\nCapEff:\t000001fffeffffff\nCapBnd:\t000001fffeffffff\n"
                + "CapAmb:\t0000000000000000\n");
        assertEquals(40, set.capabilities().size());
        assertFalse(set.contains("CAP_SYS_RESOURCE"));
        assertTrue(set.contains("CAP_SYS_ADMIN"));
        assertThrows(IllegalArgumentException.class, () -> BoundingSet.fromStatus("Name:\tjava\n"));
    }

    @Test
    void thisProcessMatchesItsStatusFile() throws IOException {
        assertEquals(BoundingSet.fromStatus(Files.readString(Path.of("/proc/self/status"))),
                BoundingSet.ofThisProcess());
    }
}
