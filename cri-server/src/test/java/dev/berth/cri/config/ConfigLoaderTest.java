package dev.berth.cri.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private final ConfigLoader loader = new ConfigLoader();
    private final Path origin = Path.of("/etc/berth/config.toml");

    @Test
    void absentDefaultFileMeansEmbeddedDefaults(@TempDir Path dir) {
        BerthConfig config = loader.load(dir.resolve("config.toml"), false);
        assertEquals("/run/berth/berth.sock", config.server().socket());
        assertEquals("/var/lib/berth", config.storage().root());
        assertEquals("/run/berth", config.storage().state());
        assertEquals("runc", config.runtime().defaultHandler());
        assertEquals("/usr/sbin/runc", config.runtime().handlers().get("runc").path());
        assertEquals("cgroupfs", config.runtime().cgroupDriver());
        assertEquals("berth0", config.network().bridge());
        assertEquals("127.0.0.1:0", config.streaming().address());
        assertEquals(60, config.streaming().tokenTtlSeconds());
        assertEquals(14400, config.streaming().idleTimeoutSeconds());
        assertEquals("", config.streaming().tlsCertFile());
        assertEquals("", config.streaming().tlsKeyFile());
    }

    @Test
    void streamingKeysParse() {
        StreamingSection streaming = loader.parse("""
                [streaming]
                address = "0.0.0.0:10010"
                token_ttl_seconds = 30
                idle_timeout_seconds = 600
                tls_cert_file = "/etc/berth/stream.crt"
                tls_key_file = "/etc/berth/stream.key"
                """, origin).streaming();
        assertEquals(new StreamingSection("0.0.0.0:10010", 30, 600, "/etc/berth/stream.crt",
                "/etc/berth/stream.key"), streaming);
        assertTrue(streaming.tls());
    }

    @Test
    void badStreamingValuesAreRejected() {
        assertRejected("[streaming]\naddress = \"10010\"\n", "streaming.address");
        assertRejected("[streaming]\ntoken_ttl_seconds = 0\n", "streaming.token_ttl_seconds");
        assertRejected("[streaming]\ntoken_ttl_seconds = 3601\n", "streaming.token_ttl_seconds");
        assertRejected("[streaming]\nidle_timeout_seconds = 0\n", "streaming.idle_timeout_seconds");
        assertRejected("[streaming]\ntls_cert_file = \"/etc/c.pem\"\n", "streaming.tls_key_file");
        assertRejected("[streaming]\ntls_key_file = \"/etc/k.pem\"\n", "streaming.tls_cert_file");
        assertRejected("[streaming]\ntls_cert_file = \"c.pem\"\ntls_key_file = \"/k.pem\"\n",
                "streaming.tls_cert_file");
        assertRejected("[streaming]\ntoken_ttl = 60\n", "streaming.token_ttl");
    }

    @Test
    void absentExplicitFileIsAnError(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.load(dir.resolve("nope.toml"), true));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void everyDocumentedSectionParses() {
        BerthConfig config = loader.parse("""
                [server]
                socket = "/run/b/b.sock"
                max_message_bytes = 33554432
                log_level = "debug"
                [storage]
                root = "/srv/berth"
                state = "/run/b"
                [runtime]
                default_handler = "crun"
                cgroup_driver = "systemd"
                [runtime.handlers.runc]
                path = "/usr/sbin/runc"
                [runtime.handlers.crun]
                path = "/usr/bin/crun"
                [registry."registry.k8s.io"]
                mirrors = ["http://127.0.0.1:5000"]
                [registry."127.0.0.1:5000"]
                insecure = true
                [network]
                bridge = "berth1"
                subnet = "10.90.0.0/16"
                conf_dir = "/etc/cni/net.d"
                bin_dirs = ["/opt/cni/bin"]
                [streaming]
                address = "127.0.0.1:0"
                [metrics]
                address = "127.0.0.1:9191"
                """, origin);
        assertEquals("crun", config.runtime().defaultHandler());
        assertEquals("systemd", config.runtime().cgroupDriver());
        assertEquals(List.of("http://127.0.0.1:5000"), config.registry().get("registry.k8s.io").mirrors());
        assertTrue(config.registry().get("127.0.0.1:5000").insecure());
        assertEquals("10.90.0.0/16", config.network().subnet());
        assertEquals(33554432, config.server().maxMessageBytes());
    }

    @Test
    void unknownKeyNamesFileAndKey() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> loader.parse("[server]\nsockett = \"/x\"\n", origin));
        assertTrue(e.getMessage().contains("/etc/berth/config.toml"), e.getMessage());
        assertTrue(e.getMessage().contains("server.sockett"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown key"), e.getMessage());
    }

    @Test
    void layerLimitsParseAndImpossibleOnesAreRefused() {
        BerthConfig config = loader.parse("[images]\nmax_layer_unpacked_bytes = 1048576\nmin_free_bytes = 0\n",
                origin);
        assertEquals(1048576L, config.images().maxLayerUnpackedBytes());
        assertEquals(0L, config.images().minFreeBytes());
        ConfigException e = assertThrows(ConfigException.class,
                () -> loader.parse("[images]\nmin_free_bytes = -1\n", origin));
        assertTrue(e.getMessage().contains("images.min_free_bytes"), e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> loader.parse("[images]\nmax_layer_unpacked_bytes = 0\n", origin));
        assertTrue(e.getMessage().contains("images.max_layer_unpacked_bytes"), e.getMessage());
    }

    @Test
    void unknownSectionIsRejected() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("[servr]\nsocket = \"/x\"\n",
                origin));
        assertTrue(e.getMessage().contains("servr"), e.getMessage());
    }

    @Test
    void unknownKeyInsideAMapEntryIsRejected() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> loader.parse("[registry.\"127.0.0.1:5000\"]\ninsecur = true\n", origin));
        assertTrue(e.getMessage().contains("registry.\"127.0.0.1:5000\".insecur"), e.getMessage());
    }

    @Test
    void wrongTypeNamesTheKey() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> loader.parse("[server]\nmax_message_bytes = \"lots\"\n", origin));
        assertTrue(e.getMessage().contains("server.max_message_bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("integer"), e.getMessage());
    }

    @Test
    void everyWrongShapeNamesTheKeyAndWhatItMustBe() {
        assertMessage("[server]\nmax_message_bytes = 4294967296\n",
                "key server.max_message_bytes: bad value 4294967296, expected an integer");
        assertMessage("[server]\nevent_buffer = 1.5\n", "key server.event_buffer: bad value 1.5, expected an integer");
        assertMessage("[storage]\nroot = 7\n", "key storage.root: bad value 7, expected a string");
        assertMessage("[registry.\"r.example\"]\ninsecure = \"yes\"\n",
                "key registry.\"r.example\".insecure: bad value \"yes\", expected true or false");
        assertMessage("[network]\nbin_dirs = \"/opt/cni/bin\"\n",
                "key network.bin_dirs: bad value \"/opt/cni/bin\", expected an array");
        assertMessage("[network]\nbin_dirs = [\"/opt/cni/bin\", 3]\n",
                "key network.bin_dirs[1]: bad value 3, expected a string");
        assertMessage("server = 3\n", "key server: bad value 3, expected a table");
        assertMessage("[runtime.handlers]\nrunc = \"/usr/sbin/runc\"\n",
                "key runtime.handlers.runc: bad value \"/usr/sbin/runc\", expected a table");
        assertMessage("[runtime.handlers.runc]\nbinary = \"/usr/sbin/runc\"\n",
                "key runtime.handlers.runc.binary: unknown key (known keys here: path)");
        assertMessage("[metrics]\nport = 9090\n", "key metrics.port: unknown key (known keys here: address)");
    }

    @Test
    void aHandlerTableReplacesTheDefaultHandlers() {
        BerthConfig config = loader.parse("[runtime.handlers.runc]\npath = \"/usr/local/sbin/runc\"\n", origin);
        assertEquals(Map.of("runc", new HandlerSection("/usr/local/sbin/runc")), config.runtime().handlers());
    }

    private void assertMessage(String toml, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse(toml, origin), toml);
        assertEquals("config /etc/berth/config.toml: " + expected, e.getMessage());
    }

    @Test
    void badValuesAreRejectedWithTheReason() {
        assertRejected("[runtime]\ncgroup_driver = \"cgroupv3\"\n", "runtime.cgroup_driver");
        assertRejected("[runtime]\ndefault_handler = \"kata\"\n", "runtime.default_handler");
        assertRejected("[storage]\nroot = \"relative/dir\"\n", "storage.root");
        assertRejected("[network]\nsubnet = \"10.89.0.0/33\"\n", "network.subnet");
        assertRejected("[network]\nbridge = \"a-bridge-name-too-long\"\n", "network.bridge");
        assertRejected("[registry.\"r.example\"]\nmirrors = [\"ftp://x\"]\n", "mirrors");
        assertRejected("[server]\nlog_level = \"loud\"\n", "server.log_level");
        assertRejected("[metrics]\naddress = \"nowhere\"\n", "metrics.address");
        assertRejected("[server]\nsocket = \"/" + "s".repeat(120) + "\"\n", "server.socket");
        assertRejected("[storage]\nstate = \"/" + "s".repeat(80) + "\"\n", "storage.state");
        assertRejected("[runtime]\nunset_seccomp_profile = \"docker/default\"\n", "runtime.unset_seccomp_profile");
    }

    @Test
    void unsetSeccompProfileIsUnconfinedUnlessRuntimeDefaultIsNamed() {
        assertEquals("", loader.parse("", origin).runtime().unsetSeccompProfile());
        assertEquals("runtime/default", loader.parse("[runtime]\nunset_seccomp_profile = \"runtime/default\"\n",
                origin).runtime().unsetSeccompProfile());
    }

    @Test
    void notTomlIsAClearError() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("[server\n", origin));
        assertTrue(e.getMessage().contains("not valid TOML"), e.getMessage());
    }

    @Test
    void renderedConfigParsesBackToTheSameConfig(@TempDir Path dir) throws Exception {
        BerthConfig config = loader.parse("""
                [registry."127.0.0.1:5000"]
                insecure = true
                mirrors = ["http://127.0.0.1:5001"]
                """, origin);
        String rendered = loader.render(config);
        Path file = dir.resolve("rendered.toml");
        Files.writeString(file, rendered);
        assertEquals(config, loader.load(file, true), rendered);
    }

    private void assertRejected(String toml, String key) {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse(toml, origin), toml);
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }
}
