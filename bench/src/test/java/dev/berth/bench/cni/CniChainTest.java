package dev.berth.bench.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CniChainTest {

    private final CniChain chain = new CniChain("net-a", "brtchain0", "10.79.0.0/24", Path.of("/tmp/bb/ipam"));

    @Test
    void theConflistIsBridgeWithHostLocalThenPortmap() throws Exception {
        JsonNode list = new ObjectMapper().readTree(chain.conflist());
        assertEquals("1.0.0", list.path("cniVersion").asText());
        assertEquals("net-a", list.path("name").asText());
        JsonNode bridge = list.path("plugins").get(0);
        assertEquals("bridge", bridge.path("type").asText());
        assertEquals("brtchain0", bridge.path("bridge").asText());
        assertEquals(true, bridge.path("isGateway").asBoolean());
        assertEquals(true, bridge.path("ipMasq").asBoolean());
        assertEquals("host-local", bridge.path("ipam").path("type").asText());
        assertEquals("/tmp/bb/ipam", bridge.path("ipam").path("dataDir").asText());
        assertEquals("10.79.0.0/24", bridge.path("ipam").path("ranges").get(0).get(0).path("subnet").asText());
        assertFalse(bridge.has("name"), "inside a list the name is the list's");
        JsonNode portmap = list.path("plugins").get(1);
        assertEquals("portmap", portmap.path("type").asText());
        assertEquals(true, portmap.path("capabilities").path("portMappings").asBoolean());
        assertEquals(2, list.path("plugins").size());
    }

    @Test
    void eachPluginConfigCarriesTheListsNameAndVersionAsARuntimePassesIt() {
        List<ObjectNode> plugins = chain.pluginConfigs();
        assertEquals(List.of("bridge", "portmap"), plugins.stream().map(p -> p.path("type").asText()).toList());
        for (ObjectNode plugin : plugins) {
            assertEquals("net-a", plugin.path("name").asText());
            assertEquals("1.0.0", plugin.path("cniVersion").asText());
        }
        assertEquals("/tmp/bb/ipam", plugins.get(0).path("ipam").path("dataDir").asText());
    }

    @Test
    void theLoopbackConfigAndSubnetMarker() {
        assertEquals("loopback", CniChain.loopbackConfig().path("type").asText());
        assertEquals("10.79.0.", chain.subnetMarker());
    }
}
