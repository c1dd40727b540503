package dev.berth.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ContainerdConfigTest {

    private final ContainerdConfig config = new ContainerdConfig(Path.of("/tmp/bb/root"), Path.of("/tmp/bb/state"),
            Path.of("/tmp/bb/c.sock"), "127.0.0.1:5000/berth-bench/pause:latest", "127.0.0.1:5000",
            Path.of("/tmp/bb/cni"), Path.of("/tmp/bb/ipam"), "ctrbench0", "10.77.0.0/24");

    @Test
    void everythingContainerdWritesStaysUnderTheWorkDir() {
        String toml = config.toml();
        assertTrue(toml.contains("root = \"/tmp/bb/root\""), toml);
        assertTrue(toml.contains("state = \"/tmp/bb/state\""), toml);
        assertTrue(toml.contains("address = \"/tmp/bb/c.sock\""), toml);
        assertTrue(toml.contains("netns_mounts_under_state_dir = true"), toml);
        assertTrue(toml.contains("Root = \"/tmp/bb/state/runc\""), toml);
        assertTrue(toml.contains("\"io.containerd.internal.v1.opt\""), toml);
    }

    @Test
    void theLocalRegistryIsAnHttpMirror() {
        String toml = config.toml();
        assertTrue(toml.contains("registry.mirrors.\"127.0.0.1:5000\"]\n  endpoint = [\"http://127.0.0.1:5000\"]"),
                toml);
        assertTrue(toml.contains("sandbox_image = \"127.0.0.1:5000/berth-bench/pause:latest\""), toml);
        assertTrue(toml.contains("SystemdCgroup = false"), toml);
        assertTrue(toml.contains("snapshotter = \"overlayfs\""), toml);
    }

    @Test
    void theConflistIsValidJsonWithItsOwnBridgeSubnetAndIpamDir() throws Exception {
        JsonNode list = new ObjectMapper().readTree(config.conflist());
        JsonNode bridge = list.path("plugins").get(0);
        assertTrue(bridge.path("bridge").asText().equals("ctrbench0"));
        assertTrue(bridge.path("ipam").path("dataDir").asText().equals("/tmp/bb/ipam"));
        assertTrue(bridge.path("ipam").path("ranges").get(0).get(0).path("subnet").asText().equals("10.77.0.0/24"));
        assertTrue(list.path("plugins").get(1).path("type").asText().equals("portmap"));
    }
}
