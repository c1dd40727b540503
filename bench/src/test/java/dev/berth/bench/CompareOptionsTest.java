package dev.berth.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.bench.CompareOptions.Choice;
import dev.berth.bench.CompareOptions.Network;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompareOptionsTest {

    @Test
    void noScenarioMeansAll() {
        CompareOptions options = CompareOptions.parse(new String[0]);
        // Every comparison; the status loop is a diagnostic, run only by name.
        assertEquals(EnumSet.of(Choice.PULL, Choice.POD, Choice.CONTAINER, Choice.FLOOR, Choice.CNIFLOOR, Choice.EXEC,
                Choice.PORTFORWARD, Choice.PIDMODES, Choice.BURST, Choice.OVERHEAD, Choice.REPULL), options.scenarios());
        assertEquals(EnumSet.of(Choice.STATUSLOOP), CompareOptions.parse(new String[] {"statusloop"}).scenarios());
        assertEquals(20, options.settings().iterations());
        assertEquals(List.of("containerd", "berth"), options.runtimes());
        assertEquals(Network.BUILTIN, options.network());
        assertEquals("info", options.berthLogLevel());
    }

    @Test
    void theSameChainAddsThePluginFloor() {
        CompareOptions options = CompareOptions.parse(new String[] {"pod", "pidmodes", "--network", "chain",
                "--berth-log-level", "debug"});
        assertEquals(Network.CHAIN, options.network());
        assertEquals(EnumSet.of(Choice.POD, Choice.PIDMODES, Choice.CNIFLOOR), options.scenarios());
        assertEquals("debug", options.berthLogLevel());
    }

    @Test
    void thePluginFloorRunsAloneOnTheBuiltinNetwork() {
        CompareOptions options = CompareOptions.parse(new String[] {"cnifloor", "--network", "builtin"});
        assertEquals(Network.BUILTIN, options.network());
        assertEquals(EnumSet.of(Choice.CNIFLOOR), options.scenarios());
    }

    @Test
    void scenariosAndOptions() {
        CompareOptions options = CompareOptions.parse(new String[] {"pod", "floor", "--iterations", "5",
                "--warmup", "1", "--pulls", "2", "--runtimes", "berth", "--out", "/tmp/r.md"});
        assertEquals(EnumSet.of(Choice.POD, Choice.FLOOR), options.scenarios());
        assertEquals(5, options.settings().iterations());
        assertEquals(1, options.settings().warmup());
        assertEquals(2, options.settings().pulls());
        assertEquals(List.of("berth"), options.runtimes());
        assertEquals(Path.of("/tmp/r.md"), options.out().orElseThrow());
        assertTrue(options.logs().isEmpty());
    }

    @Test
    void unknownWordsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> CompareOptions.parse(new String[] {"pods"}));
        assertThrows(IllegalArgumentException.class, () -> CompareOptions.parse(new String[] {"--runtimes", "crio"}));
        assertThrows(IllegalArgumentException.class, () -> CompareOptions.parse(new String[] {"--iterations"}));
        assertThrows(IllegalArgumentException.class, () -> CompareOptions.parse(new String[] {"--network", "calico"}));
        assertThrows(IllegalArgumentException.class, () -> CompareOptions.parse(new String[] {"--network"}));
        assertThrows(IllegalArgumentException.class,
                () -> CompareOptions.parse(new String[] {"--berth-log-level", "verbose"}));
    }
}
