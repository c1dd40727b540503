package dev.berth.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.bench.cni.CniChain;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BerthConfigTest {

    private static BerthConfig config(Optional<CniChain> chain) {
        return new BerthConfig(Path.of("/tmp/bb/b.sock"), Path.of("/tmp/bb/root"), Path.of("/tmp/bb/state"),
                "127.0.0.1:5000", "debug", Path.of("/tmp/bb/cni"), chain);
    }

    @Test
    void theBuiltinCaseKeepsTheBenchBridgeAndAnEmptyConfDir() {
        String toml = config(Optional.empty()).toml();
        assertTrue(toml.contains("[network]\nbridge = \"brtbench0\"\nsubnet = \"10.78.0.0/24\"\n"
                + "conf_dir = \"/tmp/bb/cni\"\n"), toml);
        assertFalse(toml.contains("mode ="), toml);
        assertTrue(toml.contains("log_level = \"debug\""), toml);
        assertTrue(toml.contains("[registry.\"127.0.0.1:5000\"]\ninsecure = true"), toml);
    }

    @Test
    void theSameChainForcesPluginModeOnTheConfDirAndDebianPlugins() {
        CniChain chain = new CniChain("berth-bench-berth", "brtchain0", "10.79.0.0/24", Path.of("/tmp/bb/ipam"));
        String toml = config(Optional.of(chain)).toml();
        assertTrue(toml.contains("[network]\nmode = \"plugin\"\nconf_dir = \"/tmp/bb/cni\"\n"
                + "bin_dirs = [\"/usr/lib/cni\"]\n"), toml);
        assertFalse(toml.contains("brtbench0"), toml);
        assertTrue(toml.contains("socket = \"/tmp/bb/b.sock\""), toml);
        assertTrue(toml.contains("state = \"/tmp/bb/state\""), toml);
    }
}
