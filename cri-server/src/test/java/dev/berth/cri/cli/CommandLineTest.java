package dev.berth.cri.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cri.testing.BerthProcess;
import dev.berth.cri.testing.TestNetwork;
import dev.berth.proto.runtime.v1.VersionRequest;
import dev.berth.testing.cri.CriClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("host")
class CommandLineTest {

    @TempDir
    Path dir;

    private final TestNetwork network = TestNetwork.random();
    private Process process;

    @AfterEach
    void stopProcess() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        network.remove();
    }

    private Path writeConfig(String extra) throws Exception {
        Path config = dir.resolve("config.toml");
        Files.writeString(config, """
                [server]
                socket = "%s"
                [storage]
                root = "%s"
                state = "%s"
                [metrics]
                address = ""
                %s
                %s
                """.formatted(dir.resolve("berth.sock"), dir.resolve("root"), dir.resolve("state"),
                network.toml(dir.resolve("cni-conf").toString()), extra));
        return config;
    }

    @Test
    void sigtermStopsServingAndExitsZero() throws Exception {
        Path config = writeConfig("");
        process = BerthProcess.start(dir, "serve", "--config", config.toString());
        Path socket = dir.resolve("berth.sock");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!read("stderr").contains("berth started") && System.nanoTime() < deadline && process.isAlive()) {
            Thread.sleep(20);
        }
        assertTrue(read("stderr").contains("berth started"), () -> "daemon never served: " + read("stderr"));
        try (CriClient client = CriClient.connect(socket)) {
            assertEquals("berth", client.runtime().version(VersionRequest.getDefaultInstance()).getRuntimeName());
        }
        process.destroy(); // SIGTERM
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "daemon did not exit after SIGTERM");
        assertEquals(0, process.exitValue(), read("stderr"));
        assertFalse(Files.exists(socket), "socket removed on clean stop");
        assertTrue(read("stderr").contains("stopping on signal"), read("stderr"));
    }

    @Test
    void unknownConfigKeyStopsStartupWithFileKeyAndReason() throws Exception {
        Path config = writeConfig("[images]\npull_paralelism = 2\n");
        process = BerthProcess.start(dir, "serve", "--config", config.toString());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, process.exitValue());
        String stderr = read("stderr");
        assertTrue(stderr.contains(config.toString()) && stderr.contains("images.pull_paralelism")
                && stderr.contains("unknown key"), stderr);
        assertFalse(Files.exists(dir.resolve("berth.sock")));
    }

    @Test
    void configPrintsTheEffectiveConfigAsToml() throws Exception {
        Path config = writeConfig("[runtime]\ncgroup_driver = \"systemd\"\n");
        process = BerthProcess.start(dir, "config", "--config", config.toString());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), read("stderr"));
        String stdout = read("stdout");
        assertTrue(stdout.contains("cgroup_driver = 'systemd'") || stdout.contains("cgroup_driver = \"systemd\""),
                stdout);
        assertTrue(stdout.contains("default_handler"), "defaults are filled in: " + stdout);
    }

    @Test
    void checkListsPrerequisitesAndFailsWhenARequiredOneIsMissing() throws Exception {
        Path config = writeConfig("""
                [runtime]
                default_handler = "missing"
                [runtime.handlers.missing]
                path = "/nonexistent/ocirt"
                [runtime.handlers.crun]
                path = "/usr/bin/crun"
                """);
        process = BerthProcess.start(dir, "check", "--config", config.toString());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        String stdout = read("stdout");
        assertEquals(1, process.exitValue(), stdout);
        assertTrue(stdout.contains("missing") && stdout.contains("/nonexistent/ocirt"), stdout);
        assertTrue(stdout.contains("ok") && stdout.contains("conmon"), stdout);
        assertTrue(stdout.contains("cgroups"), stdout);
        if (stdout.contains("mode hybrid")) {
            assertTrue(stdout.contains("crun refuses"), "crun is flagged on a hybrid host: " + stdout);
        }
    }

    @Test
    void unknownCommandIsAUsageError() throws Exception {
        process = BerthProcess.start(dir, "serv");
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, process.exitValue());
        assertTrue(read("stderr").contains("unknown command"));
    }

    private String read(String name) {
        try {
            return Files.readString(dir.resolve(name));
        } catch (Exception e) {
            return "";
        }
    }
}
