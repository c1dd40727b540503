package dev.berth.testing.registry;

import dev.berth.common.fs.AtomicFiles;
import dev.berth.common.fs.Trees;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A private docker-registry (distribution 2.8) process for one test or test class: its own config, listening on
 * 127.0.0.1 on a free port, storage in a temp dir. {@link #close()} kills exactly the process it started and
 * deletes its files.
 */
public final class TestRegistry implements AutoCloseable {

    public static final Path DEFAULT_BINARY = Path.of("/usr/bin/docker-registry");
    public static final String HOST = "127.0.0.1";

    private static final int PORT_ATTEMPTS = 5;

    private final Path directory;
    private final Process process;
    private final int port;
    private final Credentials basicAuth;
    private final TokenServer tokenServer;
    private final HttpClient httpClient;
    private final Thread shutdownHook;
    private boolean closed;

    private TestRegistry(Path directory, Process process, int port, Credentials basicAuth, TokenServer tokenServer,
                         HttpClient httpClient) {
        this.directory = directory;
        this.process = process;
        this.port = port;
        this.basicAuth = basicAuth;
        this.tokenServer = tokenServer;
        this.httpClient = httpClient;
        // A test JVM that dies without closing must not leave a registry behind.
        this.shutdownHook = new Thread(process::destroyForcibly, "test-registry-" + process.pid() + "-reaper");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** An anonymous registry. */
    public static TestRegistry start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code 127.0.0.1:PORT}: the registry part of image references. */
    public String address() {
        return HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public URI baseUri() {
        return URI.create("http://" + address());
    }

    /** An absolute URL for a path like {@code /v2/repo/manifests/tag}. */
    public URI url(String path) {
        return baseUri().resolve(path);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path storageDirectory() {
        return directory.resolve("storage");
    }

    /** The registry's combined stdout/stderr, handy when a test fails. */
    public Path logFile() {
        return directory.resolve("registry.log");
    }

    public Path configFile() {
        return directory.resolve("config.yml");
    }

    /** The credentials a Basic-auth registry accepts. */
    public Optional<Credentials> basicAuth() {
        return Optional.ofNullable(basicAuth);
    }

    public Optional<TokenServer> tokenServer() {
        return Optional.ofNullable(tokenServer);
    }

    /** A plain-HTTP/1.1 client without proxy, shared by fixtures talking to this registry. */
    public HttpClient httpClient() {
        return httpClient;
    }

    /**
     * The {@code Authorization} value fixtures use to push to {@code repository}: Basic credentials, a
     * pull/push/delete token minted without going through (or being counted by) the token endpoint, or nothing.
     */
    public Optional<String> authorization(String repository) {
        if (basicAuth != null) {
            return Optional.of(basicAuth.basicHeader());
        }
        if (tokenServer != null) {
            return Optional.of("Bearer " + tokenServer.mintToken("berth-test-fixture",
                    List.of(Access.repository(repository, "pull", "push", "delete"))));
        }
        return Optional.empty();
    }

    /** Kills the registry process (SIGTERM, then SIGKILL after 5 s), waits for it and deletes its directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or about to: nothing to undo
        }
        Trees.deleteRecursively(directory);
    }

    @Override
    public String toString() {
        return "TestRegistry[" + address() + ", pid " + pid() + "]";
    }

    /** Chooses auth and binary; {@link #start()} launches and waits until {@code GET /v2/} answers. */
    public static final class Builder {

        private Credentials basicAuth;
        private TokenServer tokenServer;
        private Path binary = DEFAULT_BINARY;
        private Duration startTimeout = Duration.ofSeconds(20);

        private Builder() {
        }

        /** htpasswd auth with one user (bcrypt hash). */
        public Builder withBasicAuth(String username, String password) {
            basicAuth = new Credentials(username, password);
            tokenServer = null;
            return this;
        }

        /** Bearer token auth trusting {@code server}'s certificate; the server stays owned by the caller. */
        public Builder withTokenAuth(TokenServer server) {
            tokenServer = Objects.requireNonNull(server);
            basicAuth = null;
            return this;
        }

        public Builder withBinary(Path path) {
            binary = path;
            return this;
        }

        public Builder withStartTimeout(Duration timeout) {
            startTimeout = timeout;
            return this;
        }

        public TestRegistry start() {
            if (!Files.isExecutable(binary)) {
                throw new IllegalStateException(binary + " is missing: install Debian's docker-registry");
            }
            Path directory;
            try {
                directory = Files.createTempDirectory("berth-registry-");
                Files.createDirectories(directory.resolve("storage"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create registry directory", e);
            }
            HttpClient client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .proxy(HttpClient.Builder.NO_PROXY)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            try {
                for (int attempt = 1; ; attempt++) {
                    int port = freeLoopbackPort();
                    Process process = launch(directory, port);
                    if (awaitReady(process, port, client)) {
                        return new TestRegistry(directory, process, port, basicAuth, tokenServer, client);
                    }
                    kill(process);
                    String log = readLog(directory);
                    // Another process may grab the port between our probe and the registry's bind: try another.
                    if (!log.contains("address already in use") || attempt == PORT_ATTEMPTS) {
                        throw new IllegalStateException("docker-registry did not start on 127.0.0.1:" + port
                                + " within " + startTimeout.toMillis() + " ms; log:\n" + tail(log));
                    }
                }
            } catch (RuntimeException e) {
                Trees.deleteRecursively(directory);
                throw e;
            }
        }

        private Process launch(Path directory, int port) {
            RegistryConfig config = new RegistryConfig(port, directory.resolve("storage"));
            if (basicAuth != null) {
                Path htpasswd = directory.resolve("htpasswd");
                Htpasswd.write(htpasswd, basicAuth);
                config.htpasswd(htpasswd);
            } else if (tokenServer != null) {
                config.token(tokenServer.realm(), tokenServer.service(), tokenServer.issuer(),
                        tokenServer.certificatePath());
            }
            Path configFile = directory.resolve("config.yml");
            AtomicFiles.write(configFile, config.render().getBytes(StandardCharsets.UTF_8));
            ProcessBuilder builder = new ProcessBuilder(binary.toString(), "serve", configFile.toString())
                    .directory(directory.toFile())
                    .redirectInput(new File("/dev/null"))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(directory.resolve("registry.log").toFile()));
            // REGISTRY_* variables override config keys: keep a developer's environment out of the tests.
            builder.environment().keySet().removeIf(key -> key.startsWith("REGISTRY_"));
            try {
                return builder.start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + binary, e);
            }
        }

        private boolean awaitReady(Process process, int port, HttpClient client) {
            HttpRequest probe = HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + port + "/v2/"))
                    .timeout(Duration.ofSeconds(1)).GET().build();
            long deadline = System.nanoTime() + startTimeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    return false;
                }
                try {
                    // Any HTTP answer (200 anonymous, 401 with auth) means the listener is up.
                    client.send(probe, HttpResponse.BodyHandlers.discarding());
                    return true;
                } catch (IOException notYet) {
                    sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return false;
        }

        private static void kill(Process process) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static String readLog(Path directory) {
            try {
                return Files.readString(directory.resolve("registry.log"), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(no log: " + e.getMessage() + ")";
            }
        }

        private static String tail(String log) {
            return log.length() <= 4000 ? log : log.substring(log.length() - 4000);
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 1);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
