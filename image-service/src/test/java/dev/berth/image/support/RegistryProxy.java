package dev.berth.image.support;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A small HTTP proxy on 127.0.0.1 in front of a real test registry: it forwards every request and counts them, and
 * can inject faults a test asks for (redirect blobs, 503s, a dropped or stalled connection, slow bodies, a
 * replaced response body). It never invents registry behaviour beyond the fault asked for.
 */
public final class RegistryProxy implements AutoCloseable {

    private static final Set<String> HOP_HEADERS = Set.of("connection", "content-length", "host",
            "transfer-encoding", "keep-alive", "upgrade", "date");

    private final URI upstream;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "registry-proxy");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final CountDownLatch closed = new CountDownLatch(1);

    private volatile boolean redirectBlobs;
    private final AtomicInteger failNext = new AtomicInteger();
    private volatile Predicate<String> failWhen = p -> false;
    private final AtomicInteger dropNext = new AtomicInteger();
    private volatile long stallBlobsAfter = -1;
    private volatile long bytesPerSecond = -1;
    private final Map<String, Replacement> replacements = new ConcurrentHashMap<>();
    private volatile boolean chunkedBlobs;
    private final Map<String, Endless> endless = new ConcurrentHashMap<>();

    /** A body served instead of the registry's for one path. */
    private record Replacement(byte[] body, String contentType, int status) {
    }

    /** A body that never ends, served chunked, until the client hangs up. */
    public static final class Endless {
        private final String contentType;
        private final byte fill;
        private final java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
        private final CountDownLatch ended = new CountDownLatch(1);

        private Endless(String contentType, byte fill) {
            this.contentType = contentType;
            this.fill = fill;
        }

        /** Waits (bounded) until the client has hung up, then says how many body bytes were written. */
        public long bytesSentOnceClosed(Duration max) throws InterruptedException {
            if (!ended.await(max.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the client kept reading an endless body for " + max);
            }
            return sent.get();
        }
    }

    public RegistryProxy(URI upstream) {
        this.upstream = upstream;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0),
                    64);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** {@code 127.0.0.1:PORT}. */
    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public URI uri() {
        return URI.create("http://" + address());
    }

    /** Requests seen for exactly this method and path, e.g. {@code GET /v2/repo/blobs/sha256:…}. */
    public int count(String method, String path) {
        AtomicInteger n = counts.get(method + " " + path);
        return n == null ? 0 : n.get();
    }

    /** GETs of a blob in a repository. */
    public int blobGets(String repository, String digest) {
        return count("GET", "/v2/" + repository + "/blobs/" + digest);
    }

    /** All requests whose "METHOD path" matches. */
    public int count(Predicate<String> methodAndPath) {
        return counts.entrySet().stream().filter(e -> methodAndPath.test(e.getKey()))
                .mapToInt(e -> e.getValue().get()).sum();
    }

    public void resetCounts() {
        counts.clear();
    }

    /** Answers blob GETs with 307 to the registry's own URL for them. */
    public void redirectBlobs(boolean on) {
        redirectBlobs = on;
    }

    /** The next {@code n} requests whose path matches answer 503. */
    public void failNext(int n, Predicate<String> path) {
        failWhen = path;
        failNext.set(n);
    }

    /** The next {@code n} blob bodies are cut off after half their bytes (connection closed). */
    public void dropNextBlobBodies(int n) {
        dropNext.set(n);
    }

    /** Blob bodies stop after {@code bytes} bytes and the connection then hangs until the client gives up. */
    public void stallBlobsAfter(long bytes) {
        stallBlobsAfter = bytes;
    }

    /** Blob bodies flow at most this fast (-1: unlimited). */
    public void throttleBlobs(long perSecond) {
        bytesPerSecond = perSecond;
    }

    /** Serves {@code body} for {@code path} instead of the registry's answer. */
    public void replace(String path, byte[] body, String contentType) {
        replacements.put(path, new Replacement(body, contentType, 200));
    }

    /** Forwards blob bodies chunked, without Content-Length: the client only knows the size the manifest says. */
    public void chunkedBlobs(boolean on) {
        chunkedBlobs = on;
    }

    /** Serves an endless chunked body of {@code fill} bytes for {@code path}. */
    public Endless serveEndless(String path, String contentType, byte fill) {
        Endless body = new Endless(contentType, fill);
        endless.put(path, body);
        return body;
    }

    public void clearFaults() {
        chunkedBlobs = false;
        endless.clear();
        redirectBlobs = false;
        failNext.set(0);
        dropNext.set(0);
        stallBlobsAfter = -1;
        bytesPerSecond = -1;
        replacements.clear();
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            counts.computeIfAbsent(method + " " + path, k -> new AtomicInteger()).incrementAndGet();
            boolean blob = path.matches("/v2/.+/blobs/[^/]+");
            if (failWhen.test(path) && failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            Endless forever = endless.get(path);
            if (forever != null && method.equals("GET")) {
                serveEndless(exchange, forever);
                return;
            }
            Replacement replacement = replacements.get(path);
            if (replacement != null) {
                exchange.getResponseHeaders().set("Content-Type", replacement.contentType());
                exchange.sendResponseHeaders(replacement.status(), method.equals("HEAD") ? -1
                        : replacement.body().length);
                if (!method.equals("HEAD")) {
                    exchange.getResponseBody().write(replacement.body());
                }
                return;
            }
            URI target = URI.create(upstream + path + (query == null ? "" : "?" + query));
            if (blob && redirectBlobs && method.equals("GET")) {
                exchange.getResponseHeaders().set("Location", target.toString());
                exchange.sendResponseHeaders(307, -1);
                return;
            }
            forward(exchange, method, target, blob);
        } finally {
            exchange.close();
        }
    }

    private void forward(HttpExchange exchange, String method, URI target, boolean blob) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(60));
        for (Map.Entry<String, List<String>> h : exchange.getRequestHeaders().entrySet()) {
            if (!HOP_HEADERS.contains(h.getKey().toLowerCase())) {
                h.getValue().forEach(v -> request.header(h.getKey(), v));
            }
        }
        byte[] body = exchange.getRequestBody().readAllBytes();
        request.method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<InputStream> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        Headers headers = exchange.getResponseHeaders();
        response.headers().map().forEach((k, v) -> {
            if (!HOP_HEADERS.contains(k.toLowerCase())) {
                headers.put(k, v);
            }
        });
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        boolean noBody = method.equals("HEAD") || response.statusCode() == 204 || response.statusCode() == 304;
        boolean chunked = length < 0 || (blob && chunkedBlobs);
        exchange.sendResponseHeaders(response.statusCode(), noBody ? -1 : (chunked ? 0 : length));
        try (InputStream in = response.body(); OutputStream out = exchange.getResponseBody()) {
            if (noBody) {
                return;
            }
            boolean faulty = blob && response.statusCode() == 200 && method.equals("GET");
            long dropAt = faulty && dropNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? Math.max(1, length / 2) : -1;
            long stallAt = faulty ? stallBlobsAfter : -1;
            long rate = faulty ? bytesPerSecond : -1;
            copy(in, out, dropAt, stallAt, rate);
        }
    }

    private void serveEndless(HttpExchange exchange, Endless body) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, body.fill);
        exchange.getResponseHeaders().set("Content-Type", body.contentType);
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            while (closed.getCount() > 0) {
                out.write(chunk);
                body.sent.addAndGet(chunk.length);
            }
        } catch (IOException e) {
            // the client hung up: the point of the exercise
        } finally {
            body.ended.countDown();
        }
    }

    private void copy(InputStream in, OutputStream out, long dropAt, long stallAt, long rate) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        long sent = 0;
        long started = System.nanoTime();
        int n;
        while ((n = in.read(buffer)) > 0) {
            int chunk = n;
            if (dropAt >= 0 && sent + chunk >= dropAt) {
                out.write(buffer, 0, (int) (dropAt - sent));
                out.flush();
                throw new IOException("proxy: dropping the connection as asked");
            }
            if (stallAt >= 0 && sent + chunk >= stallAt) {
                out.write(buffer, 0, (int) (stallAt - sent));
                out.flush();
                awaitClose(Duration.ofSeconds(60));
                throw new IOException("proxy: stalled body ends");
            }
            out.write(buffer, 0, chunk);
            sent += chunk;
            if (rate > 0) {
                long due = started + sent * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    out.flush();
                    if (awaitClose(Duration.ofNanos(wait))) {
                        throw new IOException("proxy closed");
                    }
                }
            }
        }
    }

    private boolean awaitClose(Duration max) {
        try {
            return closed.await(max.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }
}
