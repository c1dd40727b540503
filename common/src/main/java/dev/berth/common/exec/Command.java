package dev.berth.common.exec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An external command run from an argument list (never through a shell), with a timeout; its stderr goes into
 * the error that reaches the caller. Immutable: {@code with*} methods return a new command.
 */
public final class Command {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_CAPTURE = 16 * 1024 * 1024;
    /**
     * Drains the output pipes. Shared and cached: CompletableFuture's default on a 2-core machine starts a new
     * thread per task, two per command, on every spawn of a pod start.
     */
    private static final ExecutorService DRAINS = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "berth-command-output");
        thread.setDaemon(true);
        return thread;
    });

    private final List<String> argv;
    private final Duration timeout;
    private final byte[] stdin;
    private final Path directory;
    private final Map<String, String> environment;

    private Command(List<String> argv, Duration timeout, byte[] stdin, Path directory, Map<String, String> env) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        this.argv = List.copyOf(argv);
        this.timeout = timeout;
        this.stdin = stdin;
        this.directory = directory;
        this.environment = env;
    }

    public static Command of(String... argv) {
        return new Command(List.of(argv), DEFAULT_TIMEOUT, null, null, Map.of());
    }

    public static Command of(List<String> argv) {
        return new Command(argv, DEFAULT_TIMEOUT, null, null, Map.of());
    }

    public Command withTimeout(Duration newTimeout) {
        return new Command(argv, newTimeout, stdin, directory, environment);
    }

    public Command withStdin(byte[] input) {
        return new Command(argv, timeout, input.clone(), directory, environment);
    }

    public Command withDirectory(Path dir) {
        return new Command(argv, timeout, stdin, dir, environment);
    }

    /** Adds variables to the inherited environment. */
    public Command withEnvironment(Map<String, String> extra) {
        Map<String, String> merged = new LinkedHashMap<>(environment);
        merged.putAll(extra);
        return new Command(argv, timeout, stdin, directory, Map.copyOf(merged));
    }

    public List<String> argv() {
        return argv;
    }

    /** Runs the command and returns its result whatever the exit code; throws only if it could not run or timed out. */
    public CommandResult run() {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(argv));
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        builder.environment().putAll(environment);
        if (stdin == null) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new CommandFailedException(argv, -1, "", "cannot start " + argv.get(0) + ": " + e.getMessage());
        }
        CompletableFuture<byte[]> out = drain(process.getInputStream());
        CompletableFuture<byte[]> err = drain(process.getErrorStream());
        if (stdin != null) {
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin);
            } catch (IOException e) {
                // The command closed its stdin early; its exit code and stderr tell the real story.
            }
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor();
                throw new CommandFailedException(argv, -1, new String(err.join()).strip(),
                        String.join(" ", argv) + " timed out after " + timeout.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CommandFailedException(argv, -1, "", String.join(" ", argv) + " interrupted");
        }
        return new CommandResult(process.exitValue(), out.join(), err.join());
    }

    /** Runs the command and fails with its stderr unless it exits 0. */
    public CommandResult check() {
        CommandResult result = run();
        if (!result.succeeded()) {
            String stderr = result.stderrText();
            throw new CommandFailedException(argv, result.exitCode(), stderr,
                    String.join(" ", argv) + " exited " + result.exitCode()
                            + (stderr.isEmpty() ? "" : ": " + stderr));
        }
        return result;
    }

    private static CompletableFuture<byte[]> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                byte[] chunk = new byte[8192];
                int n;
                while ((n = stream.read(chunk)) >= 0) {
                    if (buffer.size() < MAX_CAPTURE) {
                        buffer.write(chunk, 0, Math.min(n, MAX_CAPTURE - buffer.size()));
                    }
                }
                return buffer.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, DRAINS);
    }

    @Override
    public String toString() {
        return String.join(" ", argv);
    }
}
