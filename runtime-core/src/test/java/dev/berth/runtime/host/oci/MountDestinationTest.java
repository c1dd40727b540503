package dev.berth.runtime.host.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MountDestinationTest {

    @Test
    void canonicalFormDropsEmptyAndDotElements() {
        assertEquals("/var/lib/data", MountDestination.of("//var/./lib//data/", "f"));
        assertEquals("/proc/meminfo", MountDestination.of("/proc/meminfo", "f"));
        assertEquals("/procfs", MountDestination.of("/procfs", "f"));
        assertEquals("/a..b", MountDestination.of("/a..b", "f"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/..", "/../etc", "/a/../b", "/a/..", "/", "/./", "///", "", "etc", "./etc", "/proc",
            "/proc/sys", "/proc/1/root", "/etc\0/x"})
    void refusesDestinationsOutsideTheContainerOrOverItsRootOrProc(String path) {
        BerthException e = assertThrows(BerthException.class, () -> MountDestination.of(path, "mounts[0].x"));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().startsWith("mounts[0].x "), e.getMessage());
    }
}
