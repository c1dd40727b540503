package dev.berth.cri.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.exec.Command;
import dev.berth.cri.BerthDaemon;
import dev.berth.cri.config.BerthConfig;
import dev.berth.cri.config.ConfigLoader;
import dev.berth.cri.testing.Leftovers;
import dev.berth.cri.testing.MetricsScrape;
import dev.berth.cri.testing.TestNetwork;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** /metrics as the daemon serves it: from start-up, in either format, with Prometheus names, bound early. */
@Tag("host")
class MetricsEndpointTest {

    /** What Prometheus 2.x/3.x sends when it scrapes. */
    static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,"
            + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    private final TestNetwork network = TestNetwork.random();
    private Path home;

    @BeforeEach
    void makeHome() throws Exception {
        home = Files.createTempDirectory("berth-metrics-");
    }

    @AfterEach
    void removeHome() {
        network.remove();
        Leftovers.removeDirectory(home);
    }

    private BerthConfig config(String metricsAddress) {
        return new ConfigLoader().parse("""
                [server]
                socket = "%s"
                [storage]
                root = "%s"
                state = "%s"
                [metrics]
                address = "%s"
                [streaming]
                address = "127.0.0.1:0"
                %s
                """.formatted(home.resolve("berth.sock"), home.resolve("root"), home.resolve("state"),
                metricsAddress, network.toml(home.resolve("cni-conf").toString())), home.resolve("config.toml"));
    }

    @Test
    void servesFromStartUpInBothFormatsWithBerthNames() {
        try (BerthDaemon daemon = BerthDaemon.start(config("127.0.0.1:0"))) {
            // No CRI call has been made.
            MetricsScrape text = MetricsScrape.of(daemon.metricsAddress().orElseThrow());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", text.contentType());
            assertTrue(text.names().contains("berth_jvm_memory_used_bytes"), text.names().toString());
            assertTrue(text.names().contains("berth_jvm_gc_memory_allocated_bytes_total"), text.names().toString());
            assertTrue(text.names().contains("berth_jvm_threads_live_threads"), text.names().toString());
            assertTrue(text.names().contains("berth_process_files_open_files"), text.names().toString());
            assertEquals(0, text.value("berth_pods{state=\"ready\"}"));
            assertTrue(text.body().contains("berth_pods{state=\"ready\"} 0.0"), "pod gauges exist from start-up");
            assertEquals(0, text.value("berth_oom_kills_total"));
            assertTrue(text.body().contains("berth_oom_kills_total 0.0"));
            assertEquals(0, text.value("berth_zombie_processes"), "the daemon reaps what it spawns");
            assertFalse(text.body().contains("berth_cri_request_duration_seconds_count"),
                    "no CRI call was made yet");

            List<String> problems = new ArrayList<>();
            for (String line : text.body().split("\n")) {
                if (!line.startsWith("# TYPE ")) {
                    continue;
                }
                String[] parts = line.split(" ");
                String name = parts[2];
                String type = parts[3];
                if (!name.startsWith("berth_")) {
                    problems.add(name + " is not under berth_");
                }
                if (type.equals("counter") && !name.endsWith("_total")) {
                    problems.add("counter " + name + " does not end in _total");
                }
                if (name.contains("_milliseconds") || name.contains("_kilobytes") || name.contains("_megabytes")) {
                    problems.add(name + " is not in base units");
                }
            }
            assertEquals(List.of(), problems);

            MetricsScrape open = MetricsScrape.of(daemon.metricsAddress().orElseThrow(), PROMETHEUS_ACCEPT);
            assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8", open.contentType());
            assertTrue(open.body().endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
            assertTrue(open.body().contains("# TYPE berth_oom_kills counter"), "OpenMetrics names the family");
            assertTrue(open.body().contains("berth_oom_kills_total 0"), "and its sample with _total");

            MetricsScrape refused = MetricsScrape.of(daemon.metricsAddress().orElseThrow(),
                    "application/openmetrics-text;q=0,text/plain;q=0.5");
            assertEquals("text/plain; version=0.0.4; charset=utf-8", refused.contentType());
        }
    }

    @Test
    void aTakenMetricsPortStopsStartUpBeforeTheNetworkIsTouched() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            StartupException e = assertThrows(StartupException.class, () -> BerthDaemon.start(config(address)));
            assertTrue(e.getMessage().contains("cannot serve metrics on " + address), e.getMessage());
            assertTrue(e.getMessage().contains("metrics.address"), e.getMessage());
        }
        assertTrue(Command.of("ip", "link", "show", network.bridge()).run().exitCode() != 0,
                "the refused daemon made no bridge");
        assertTrue(Files.notExists(home.resolve("berth.sock")), "the refused daemon created no socket");
        assertTrue(Files.notExists(home.resolve("root").resolve("images")), "nor its image store");
    }

    @Test
    void formatNegotiation() {
        assertEquals(ExpositionFormat.TEXT, ExpositionFormat.negotiate(null));
        assertEquals(ExpositionFormat.TEXT, ExpositionFormat.negotiate("*/*"));
        assertEquals(ExpositionFormat.TEXT, ExpositionFormat.negotiate("text/plain;version=0.0.4"));
        assertEquals(ExpositionFormat.OPENMETRICS, ExpositionFormat.negotiate(PROMETHEUS_ACCEPT));
        assertEquals(ExpositionFormat.OPENMETRICS, ExpositionFormat.negotiate("Application/OpenMetrics-Text"));
        assertEquals(ExpositionFormat.TEXT, ExpositionFormat.negotiate("application/openmetrics-text; q=0"));
        assertEquals(ExpositionFormat.TEXT, ExpositionFormat.negotiate("application/openmetrics-text;q=x"));
    }
}
