package dev.berth.testing.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.berth.common.fs.Trees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A registry token service on 127.0.0.1 for the Bearer flow: {@code GET /token?service=S&scope=...} (the docker
 * token protocol) and {@code POST /token} (OAuth2 password / refresh_token grants). It grants every requested
 * action, optionally only to one Basic-auth user, and counts what it hands out so tests can check client-side
 * token caching. Start it before the {@link TestRegistry} that trusts it; close it after.
 */
public final class TokenServer implements AutoCloseable {

    public static final String DEFAULT_SERVICE = "berth-test-registry";
    public static final String DEFAULT_ISSUER = "berth-test-token-issuer";

    private final Path directory;
    private final HttpServer server;
    private final ExecutorService executor;
    private final JwtSigner signer;
    private final SigningKey key;
    private final Credentials credentials;
    private final Duration lifetime;
    private final String service;
    private final String issuer;
    private final AtomicInteger issued = new AtomicInteger();
    private final List<TokenRequest> requests = new CopyOnWriteArrayList<>();
    private final Set<String> refreshTokens = ConcurrentHashMap.newKeySet();
    private final ObjectMapper mapper = new ObjectMapper();
    private final SecureRandom random = new SecureRandom();

    private TokenServer(Builder builder) {
        this.credentials = builder.credentials;
        this.lifetime = builder.lifetime;
        this.service = builder.service;
        this.issuer = builder.issuer;
        try {
            this.directory = Files.createTempDirectory("berth-token-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create token server directory", e);
        }
        try {
            this.key = SigningKey.generate(directory);
            this.signer = new JwtSigner(key);
            this.server = HttpServer.create(new InetSocketAddress(
                    InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 16);
        } catch (IOException | RuntimeException e) {
            Trees.deleteRecursively(directory);
            throw e instanceof IOException ? new UncheckedIOException((IOException) e) : (RuntimeException) e;
        }
        this.executor = Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "token-server");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/token", this::handle);
        server.start();
    }

    public static TokenServer start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The token endpoint the registry's challenge names: {@code http://127.0.0.1:PORT/token}. */
    public String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The registry's service name: the {@code aud} of every token. */
    public String service() {
        return service;
    }

    /** The {@code iss} of every token. */
    public String issuer() {
        return issuer;
    }

    /** The PEM certificate a registry must list in {@code rootcertbundle}. */
    public Path certificatePath() {
        return key.certificatePem();
    }

    /** libtrust-style ID of the signing key, as tokens carry it in {@code kid}. */
    public String keyId() {
        return signer.keyId();
    }

    public Optional<Credentials> credentials() {
        return Optional.ofNullable(credentials);
    }

    /** Tokens handed out through the HTTP endpoint (not {@link #mintToken}). */
    public int issuedTokens() {
        return issued.get();
    }

    /** Every request to the endpoint so far, in arrival order. */
    public List<TokenRequest> requests() {
        return List.copyOf(requests);
    }

    public void resetCounts() {
        issued.set(0);
        requests.clear();
    }

    /** A signed token granting {@code access} to {@code subject}; not counted. */
    public String mintToken(String subject, List<Access> access) {
        return mintToken(subject, access, true);
    }

    String mintToken(String subject, List<Access> access, boolean withCertificateChain) {
        Instant now = Instant.now();
        ObjectNode claims = signer.newClaims();
        claims.put("iss", issuer);
        claims.put("sub", subject);
        claims.put("aud", service);
        claims.put("exp", now.plus(lifetime).getEpochSecond());
        claims.put("nbf", now.minusSeconds(10).getEpochSecond());
        claims.put("iat", now.getEpochSecond());
        claims.put("jti", randomId());
        ArrayNode grants = claims.putArray("access");
        for (Access grant : access) {
            ObjectNode node = grants.addObject();
            node.put("type", grant.type());
            node.put("name", grant.name());
            ArrayNode actions = node.putArray("actions");
            grant.actions().forEach(actions::add);
        }
        return signer.sign(claims, withCertificateChain);
    }

    /** Stops the endpoint and deletes the key material. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        Trees.deleteRecursively(directory);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            if (method.equals("GET")) {
                Map<String, List<String>> query = parseForm(exchange.getRequestURI().getRawQuery());
                String account = authenticateBasic(exchange.getRequestHeaders().getFirst("Authorization"));
                boolean offline = "true".equals(first(query, "offline_token"));
                respond(exchange, "GET", query, first(query, "scope") == null ? List.of() : query.get("scope"),
                        account, offline);
            } else if (method.equals("POST")) {
                Map<String, List<String>> form = parseForm(new String(exchange.getRequestBody().readAllBytes(),
                        StandardCharsets.UTF_8));
                String account = authenticateOAuth(form);
                String scope = first(form, "scope");
                List<String> scopes = scope == null || scope.isBlank() ? List.of()
                        : Arrays.asList(scope.trim().split(" +"));
                respond(exchange, "POST", form, scopes, account, "offline".equals(first(form, "access_type")));
            } else {
                exchange.sendResponseHeaders(405, -1);
            }
        } catch (RuntimeException e) {
            // A broken request must not kill the test's token server; the client sees a 400.
            send(exchange, 400, "{\"errors\":[{\"message\":\"bad token request: "
                    + e.getClass().getSimpleName() + "\"}]}");
        } finally {
            exchange.close();
        }
    }

    private void respond(HttpExchange exchange, String method, Map<String, List<String>> params,
                         List<String> scopes, String account, boolean offline) throws IOException {
        String requestedService = first(params, "service");
        if (account == null) {
            requests.add(new TokenRequest(method, requestedService, scopes, "", false));
            exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"berth-test-token\"");
            send(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}");
            return;
        }
        if (requestedService != null && !requestedService.equals(service)) {
            requests.add(new TokenRequest(method, requestedService, scopes, account, false));
            send(exchange, 400, "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"unknown service\"}]}");
            return;
        }
        List<Access> access = new ArrayList<>();
        for (String scope : scopes) {
            access.add(Access.parse(scope));
        }
        String token = mintToken(account, access);
        issued.incrementAndGet();
        requests.add(new TokenRequest(method, requestedService, scopes, account, true));
        ObjectNode body = mapper.createObjectNode();
        body.put("token", token);
        body.put("access_token", token);
        body.put("expires_in", lifetime.toSeconds());
        body.put("issued_at", Instant.now().toString());
        if (offline && credentials != null) {
            String refresh = randomId();
            refreshTokens.add(refresh);
            body.put("refresh_token", refresh);
        }
        send(exchange, 200, mapper.writeValueAsString(body));
    }

    /** The user name when the request may have a token, null when it must be refused; "" for anonymous. */
    private String authenticateBasic(String header) {
        if (credentials == null) {
            return "";
        }
        return credentials.matchesHeader(header) ? credentials.username() : null;
    }

    private String authenticateOAuth(Map<String, List<String>> form) {
        if (credentials == null) {
            return "";
        }
        String grant = first(form, "grant_type");
        if ("password".equals(grant) && credentials.username().equals(first(form, "username"))
                && credentials.password().equals(first(form, "password"))) {
            return credentials.username();
        }
        if ("refresh_token".equals(grant) && refreshTokens.contains(first(form, "refresh_token"))) {
            return credentials.username();
        }
        return null;
    }

    private static Map<String, List<String>> parseForm(String raw) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return params;
    }

    private static String first(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private String randomId() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    /** Options; {@link #start()} generates the key and binds the endpoint. */
    public static final class Builder {

        private Credentials credentials;
        private Duration lifetime = Duration.ofMinutes(5);
        private String service = DEFAULT_SERVICE;
        private String issuer = DEFAULT_ISSUER;

        private Builder() {
        }

        /** Only this user gets tokens; anonymous requests get 401. */
        public Builder withBasicAuth(String username, String password) {
            credentials = new Credentials(username, password);
            return this;
        }

        /** {@code expires_in} and {@code exp}; short lifetimes let tests see a client refresh. */
        public Builder withTokenLifetime(Duration value) {
            lifetime = value;
            return this;
        }

        public Builder withService(String value) {
            service = value;
            return this;
        }

        public Builder withIssuer(String value) {
            issuer = value;
            return this;
        }

        public TokenServer start() {
            return new TokenServer(this);
        }
    }
}
