package dev.berth.common.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CommandTest {

    @Test
    void capturesStdoutAndFeedsStdin() {
        CommandResult result = Command.of("cat").withStdin("hello".getBytes(StandardCharsets.UTF_8)).check();
        assertEquals("hello", result.stdoutText());
    }

    @Test
    void failureCarriesStderrAndExitCode() {
        CommandFailedException e = assertThrows(CommandFailedException.class,
                () -> Command.of("sh", "-c", "echo broken >&2; exit 3").check());
        assertEquals(3, e.exitCode());
        assertTrue(e.getMessage().contains("broken"), e.getMessage());
    }

    @Test
    void timeoutKillsTheCommand() {
        long start = System.nanoTime();
        CommandFailedException e = assertThrows(CommandFailedException.class,
                () -> Command.of("sleep", "30").withTimeout(Duration.ofMillis(200)).run());
        assertEquals(-1, e.exitCode());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 10);
    }

    @Test
    void missingBinaryIsAClearError() {
        CommandFailedException e = assertThrows(CommandFailedException.class,
                () -> Command.of("/nonexistent/berth-binary").run());
        assertTrue(e.getMessage().contains("cannot start"), e.getMessage());
    }
}
