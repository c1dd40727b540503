package dev.berth.cri.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** One scrape of a daemon's /metrics in the Prometheus text format, as series (name with labels) to value. */
public final class MetricsScrape {

    private final String body;
    private final String contentType;
    private final Map<String, Double> series = new LinkedHashMap<>();

    private MetricsScrape(String body, String contentType) {
        this.body = body;
        this.contentType = contentType;
        for (String line : body.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
    }

    public static MetricsScrape of(InetSocketAddress address) {
        return of(address, null);
    }

    /** @param accept the Accept header, or null for none */
    public static MetricsScrape of(InetSocketAddress address, String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort()
                + "/metrics"));
        if (accept != null) {
            request.header("Accept", accept);
        }
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError("GET /metrics answered " + response.statusCode());
            }
            return new MetricsScrape(response.body(), response.headers().firstValue("Content-Type").orElse(""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The series' value, 0 when absent; {@code series} as exposed: {@code name{label="v",...}} in label order. */
    public double value(String series) {
        return this.series.getOrDefault(series, 0.0);
    }

    /** The sum of every series of this name whose labels include all of {@code labels} (e.g. {@code reason="x"}). */
    public double sum(String name, String... labels) {
        double sum = 0;
        for (Map.Entry<String, Double> entry : series.entrySet()) {
            String key = entry.getKey();
            String seriesName = key.contains("{") ? key.substring(0, key.indexOf('{')) : key;
            if (!seriesName.equals(name)) {
                continue;
            }
            boolean all = true;
            for (String label : labels) {
                all &= key.contains(label);
            }
            if (all) {
                sum += entry.getValue();
            }
        }
        return sum;
    }

    /** Every metric family named by a sample: the series names without labels. */
    public Set<String> names() {
        Set<String> names = new TreeSet<>();
        for (String key : series.keySet()) {
            names.add(key.contains("{") ? key.substring(0, key.indexOf('{')) : key);
        }
        return names;
    }

    public String body() {
        return body;
    }

    public String contentType() {
        return contentType;
    }
}
