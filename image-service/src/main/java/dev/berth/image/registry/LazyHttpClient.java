package dev.berth.image.registry;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The registry HTTP client, built on first use: building one initialises TLS (tens of milliseconds of CPU and a
 * selector thread), which a daemon that has not pulled yet should not pay at start-up.
 */
final class LazyHttpClient implements Supplier<HttpClient> {

    private final Duration connectTimeout;
    private volatile HttpClient client;

    LazyHttpClient(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    @Override
    public HttpClient get() {
        HttpClient built = client;
        if (built == null) {
            synchronized (this) {
                built = client;
                if (built == null) {
                    built = HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .followRedirects(HttpClient.Redirect.NEVER)
                            .connectTimeout(connectTimeout)
                            .build();
                    client = built;
                }
            }
        }
        return built;
    }
}
