package dev.berth.cni.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.cni.PodIp;
import dev.berth.cni.testing.HostFixture;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config loading, version negotiation and result reading, without running plugins. */
class CniUnitTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void theFirstValidConfigInLexicalOrderWins(@TempDir Path dir) {
        HostFixture.write(dir.resolve("05-broken.conflist"), "{ not json");
        HostFixture.write(dir.resolve("10-b.conf"), "{\"cniVersion\":\"0.4.0\",\"name\":\"b\",\"type\":\"bridge\"}");
        HostFixture.write(dir.resolve("20-a.conflist"),
                "{\"cniVersion\":\"1.0.0\",\"name\":\"a\",\"plugins\":[{\"type\":\"bridge\"}]}");
        HostFixture.write(dir.resolve("README.md"), "not a config");

        ConfDirState state = new CniConfigLoader(dir, json).load();

        CniConfigList list = state.config().orElseThrow();
        assertEquals("b", list.name());
        assertEquals("0.4.0", list.cniVersion());
        assertEquals(List.of("bridge"), list.pluginTypes());
        assertEquals(1, list.json().path("plugins").size(), "a bare .conf is cached as a list of one");
        assertTrue(state.hasCandidates());
    }

    @Test
    void anEmptyOrInvalidConfDirSaysWhy(@TempDir Path dir) {
        ConfDirState empty = new CniConfigLoader(dir, json).load();
        assertFalse(empty.hasCandidates());
        assertTrue(empty.problem().contains("no network config found"), empty.problem());

        HostFixture.write(dir.resolve("10-x.conflist"), "{\"cniVersion\":\"7.0.0\",\"name\":\"x\",\"plugins\":[]}");
        ConfDirState invalid = new CniConfigLoader(dir, json).load();
        assertTrue(invalid.hasCandidates());
        assertTrue(invalid.config().isEmpty());
        assertTrue(invalid.problem().contains("unsupported cniVersion"), invalid.problem());
    }

    @Test
    void cniVersionsPicksTheHighestSupported() throws Exception {
        CniConfigList list = CniConfigList.fromJson(json.readTree(
                "{\"cniVersion\":\"1.0.0\",\"cniVersions\":[\"1.0.0\",\"1.1.0\",\"2.0.0\"],\"name\":\"n\","
                        + "\"plugins\":[{\"type\":\"p\"}]}"), "test");
        assertEquals("1.1.0", list.cniVersion());
        assertTrue(list.version().atLeast(CniVersion.V1_1_0));
        assertThrows(IllegalArgumentException.class, () -> CniConfigList.fromJson(json.readTree(
                "{\"cniVersion\":\"1.0.0\",\"name\":\"bad/name\",\"plugins\":[{\"type\":\"p\"}]}"), "test"));
        assertThrows(IllegalArgumentException.class, () -> CniConfigList.fromJson(json.readTree(
                "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"../evil\"}]}"), "test"));
    }

    @Test
    void resultsOfEveryVersionGiveThePodsAddressesIpv4First() throws Exception {
        List<PodIp> current = CniResults.podIps(json.readTree("""
                {"cniVersion":"1.0.0",
                 "interfaces":[{"name":"cni0"},{"name":"veth1"},{"name":"eth0","sandbox":"/run/netns/x"}],
                 "ips":[{"address":"fd00:1::5/64","gateway":"fd00:1::1","interface":2},
                        {"address":"10.1.0.1/16","interface":0},
                        {"address":"10.1.0.5/16","gateway":"10.1.0.1","interface":2}]}
                """));
        assertEquals(List.of("10.1.0.5/16", "fd00:1::5/64"), current.stream().map(PodIp::cidr).toList());
        assertEquals("10.1.0.1", current.get(0).gateway().orElseThrow().getHostAddress());

        List<PodIp> legacy = CniResults.podIps(json.readTree(
                "{\"cniVersion\":\"0.2.0\",\"ip4\":{\"ip\":\"10.2.0.7/24\",\"gateway\":\"10.2.0.1\"}}"));
        assertEquals(List.of("10.2.0.7/24"), legacy.stream().map(PodIp::cidr).toList());

        List<PodIp> noInterfaces = CniResults.podIps(json.readTree(
                "{\"cniVersion\":\"0.3.1\",\"ips\":[{\"version\":\"4\",\"address\":\"10.3.0.2/24\"}]}"));
        assertEquals(List.of("10.3.0.2/24"), noInterfaces.stream().map(PodIp::cidr).toList());
        assertTrue(noInterfaces.get(0).gateway().isEmpty());
    }
}
