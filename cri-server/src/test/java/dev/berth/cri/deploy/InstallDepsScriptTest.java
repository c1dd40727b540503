package dev.berth.cri.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.fs.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * deploy/install-deps.sh against stand-in apt-get and dpkg-query: the service blocker it writes for the install
 * never outlives it (failed, interrupted or not), one that was there before is left alone, and apt waits for the
 * dpkg lock instead of failing at once.
 */
@Tag("host")
class InstallDepsScriptTest {

    private static final Path SCRIPT = Path.of("..", "deploy", "install-deps.sh").toAbsolutePath().normalize();

    private Path dir;
    private Path bin;
    private Path policy;
    private Path aptLog;

    @BeforeEach
    void standIns() throws IOException {
        dir = Files.createTempDirectory("berth-install-deps-");
        bin = Files.createDirectories(dir.resolve("bin"));
        policy = dir.resolve("policy-rc.d");
        aptLog = dir.resolve("apt.log");
        // Every package reads as missing.
        executable(bin.resolve("dpkg-query"), "#!/bin/sh\nexit 1\n");
    }

    @AfterEach
    void removeStandIns() {
        Trees.deleteRecursively(dir);
    }

    private static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** apt-get that logs its arguments, notes whether the blocker exists during install, then runs {@code then}. */
    private void aptGet(String then) throws IOException {
        executable(bin.resolve("apt-get"), "#!/bin/sh\necho \"$*\" >> " + aptLog + "\n"
                + "case \"$*\" in *install*) [ -x " + policy + " ] && echo blocked >> " + aptLog + "; " + then
                + ";; esac\nexit 0\n");
    }

    private Process start() throws IOException {
        // setsid: the script leads its own process group, so a signal can reach it and its apt-get as a terminal's
        // Ctrl-C would.
        ProcessBuilder builder = new ProcessBuilder("setsid", "bash", SCRIPT.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile());
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        builder.environment().put("BERTH_POLICY_RC", policy.toString());
        return builder.start();
    }

    private static int exitOf(Process process) throws InterruptedException {
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "install-deps.sh did not finish");
        return process.exitValue();
    }

    @Test
    void aFailedInstallRemovesTheBlockerItWroteAndAptWaitsForTheLock() throws Exception {
        aptGet("exit 100");
        assertNotEquals(0, exitOf(start()));
        assertFalse(Files.exists(policy), "policy-rc.d left behind");
        List<String> log = Files.readAllLines(aptLog);
        assertTrue(log.contains("blocked"), "no blocker during the install: " + log);
        assertTrue(log.stream().allMatch(l -> l.equals("blocked") || l.startsWith("-o DPkg::Lock::Timeout=")),
                "an apt-get call without a lock timeout: " + log);
    }

    @Test
    void aSuccessfulInstallRemovesTheBlockerToo() throws Exception {
        aptGet("true");
        assertEquals(0, exitOf(start()));
        assertFalse(Files.exists(policy), "policy-rc.d left behind");
        assertTrue(Files.readAllLines(aptLog).contains("blocked"));
    }

    @Test
    void anInterruptedInstallRemovesTheBlocker() throws Exception {
        Path started = dir.resolve("started");
        aptGet("touch " + started + "; sleep 60");
        Process process = start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!Files.exists(started) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(Files.exists(started), "apt-get install never ran");
        // The whole group, as a terminal delivers SIGTERM/SIGINT.
        new ProcessBuilder("kill", "-TERM", "--", "-" + process.pid()).inheritIO().start().waitFor();
        assertNotEquals(0, exitOf(process));
        assertFalse(Files.exists(policy), "policy-rc.d left behind after SIGTERM");
    }

    @Test
    void aBlockerThatWasThereBeforeIsLeftAlone() throws Exception {
        executable(policy, "#!/bin/sh\n# the host's own\nexit 101\n");
        aptGet("exit 100");
        assertNotEquals(0, exitOf(start()));
        assertEquals("#!/bin/sh\n# the host's own\nexit 101\n", Files.readString(policy));
    }
}
