package dev.berth.cri.wiring;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cri.config.ConfigLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ModuleConfigsTest {

    private final ConfigLoader loader = new ConfigLoader();
    private final Path origin = Path.of("/etc/berth/config.toml");

    @Test
    void unsetSeccompProfileReachesTheRuntime() {
        assertFalse(ModuleConfigs.runtime(loader.parse("", origin)).unsetSeccompIsRuntimeDefault());
        assertTrue(ModuleConfigs.runtime(loader.parse("[runtime]\nunset_seccomp_profile = \"runtime/default\"\n",
                origin)).unsetSeccompIsRuntimeDefault());
    }
}
