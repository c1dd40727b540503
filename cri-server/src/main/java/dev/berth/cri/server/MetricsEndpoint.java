package dev.berth.cri.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.berth.cri.metrics.BerthMeters;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * Serves {@code GET /metrics} on the configured address, in the Prometheus text format or OpenMetrics as the
 * scraper's Accept header asks. Started before anything else is set up, so it answers from start-up on.
 */
public final class MetricsEndpoint implements AutoCloseable {

    private final HttpServer server;

    private MetricsEndpoint(HttpServer server) {
        this.server = server;
    }

    public static MetricsEndpoint start(String hostPort, BerthMeters meters) {
        int colon = hostPort.lastIndexOf(':');
        InetSocketAddress address = new InetSocketAddress(hostPort.substring(0, colon),
                Integer.parseInt(hostPort.substring(colon + 1)));
        try {
            HttpServer server = HttpServer.create(address, 16);
            server.createContext("/metrics", exchange -> respond(exchange, meters));
            server.setExecutor(Executors.newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, "metrics-http");
                thread.setDaemon(true);
                return thread;
            }));
            server.start();
            return new MetricsEndpoint(server);
        } catch (IOException e) {
            throw new StartupException("cannot serve metrics on " + hostPort + ": " + e.getMessage()
                    + " (set metrics.address to a free address, or \"\" to turn metrics off)", e);
        }
    }

    private static void respond(HttpExchange exchange, BerthMeters meters) throws IOException {
        try (exchange) {
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            if (!head && !"GET".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            ExpositionFormat format = ExpositionFormat.negotiate(exchange.getRequestHeaders().getFirst("Accept"));
            byte[] body = meters.scrape(format.contentType()).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", format.contentType());
            exchange.getResponseHeaders().set("Vary", "Accept");
            if (head) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
