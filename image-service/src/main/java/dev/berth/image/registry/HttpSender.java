package dev.berth.image.registry;

import dev.berth.common.error.BerthException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * Sends one logical request: tries again after connection errors, 5xx and 429 with backoff, and follows redirects
 * itself so credentials never leave the registry's host (blob downloads are often redirected to storage that
 * rejects them). Returns the final response, whatever its status, with an open body the caller must close.
 */
public final class HttpSender {

    private static final Logger log = LoggerFactory.getLogger(HttpSender.class);
    private static final int MAX_REDIRECTS = 10;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    private final Supplier<HttpClient> client;
    private final RetryPolicy retry;

    public HttpSender(Supplier<HttpClient> client, RetryPolicy retry) {
        this.client = client;
        this.retry = retry;
    }

    public HttpResponse<InputStream> send(HttpCall call, TransferControl control) {
        for (int attempt = 1; ; attempt++) {
            control.checkActive();
            try {
                HttpResponse<InputStream> response = followRedirects(call, control);
                int status = response.statusCode();
                if ((status >= 500 || status == 429) && attempt < retry.attempts()) {
                    closeBody(response);
                    log.debug("event=registry_retry uri={} status={} attempt={}", call.uri(), status, attempt);
                    control.sleep(retry.backoff(attempt));
                    continue;
                }
                return response;
            } catch (HttpConnectTimeoutException e) {
                control.checkActive();
                if (attempt >= retry.attempts()) {
                    throw unreachable(call.uri(), "connect timed out");
                }
            } catch (HttpTimeoutException e) {
                control.checkDeadlineNear();
                throw new BerthException(BerthException.Kind.CANCELLED, "no response from " + host(call.uri())
                        + " within " + control.progressTimeout().toSeconds() + "s (progress timeout)");
            } catch (IOException e) {
                control.checkActive();
                if (attempt >= retry.attempts()) {
                    throw unreachable(call.uri(), Objects.toString(e.getMessage(), e.getClass().getSimpleName()));
                }
                log.debug("event=registry_retry uri={} error=\"{}\" attempt={}", call.uri(), e, attempt);
            }
            control.sleep(retry.backoff(attempt));
        }
    }

    private HttpResponse<InputStream> followRedirects(HttpCall call, TransferControl control) throws IOException {
        URI uri = call.uri();
        String originalAuthority = call.uri().getRawAuthority();
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            boolean sameHost = Objects.equals(uri.getRawAuthority(), originalAuthority)
                    && Objects.equals(uri.getScheme(), call.uri().getScheme());
            HttpResponse<InputStream> response = sendOnce(call, uri, sameHost, control);
            int status = response.statusCode();
            if (!REDIRECTS.contains(status)) {
                return response;
            }
            String location = response.headers().firstValue("Location").orElse(null);
            closeBody(response);
            if (location == null) {
                throw new BerthException(BerthException.Kind.UNAVAILABLE,
                        host(uri) + " answered " + status + " without a Location");
            }
            uri = uri.resolve(location);
            log.debug("event=registry_redirect to={}", host(uri));
        }
        throw new BerthException(BerthException.Kind.UNAVAILABLE, "too many redirects from " + host(call.uri()));
    }

    private HttpResponse<InputStream> sendOnce(HttpCall call, URI uri, boolean sameHost, TransferControl control)
            throws IOException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(control.requestTimeout());
        for (Map.Entry<String, String> h : call.headers().entrySet()) {
            if (sameHost || !h.getKey().equalsIgnoreCase("Authorization")) {
                builder.header(h.getKey(), h.getValue());
            }
        }
        if (call.formBody() != null) {
            builder.header("Content-Type", "application/x-www-form-urlencoded")
                    .method(call.method(), HttpRequest.BodyPublishers.ofString(call.formBody()));
        } else {
            builder.method(call.method(), HttpRequest.BodyPublishers.noBody());
        }
        CompletableFuture<HttpResponse<InputStream>> pending =
                client.get().sendAsync(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
        java.io.Closeable cancel = () -> pending.cancel(true);
        control.track(cancel);
        try {
            return pending.get();
        } catch (CancellationException e) {
            control.checkActive();
            throw new IOException("request cancelled", e);
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new BerthException(BerthException.Kind.CANCELLED, "interrupted while waiting for " + host(uri));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(cause);
        } finally {
            control.untrack(cancel);
        }
    }

    static void closeBody(HttpResponse<InputStream> response) {
        try {
            response.body().close();
        } catch (IOException ignored) {
            // the connection is dropped either way
        }
    }

    private static BerthException unreachable(URI uri, String why) {
        return new BerthException(BerthException.Kind.UNAVAILABLE, "cannot reach " + host(uri) + ": " + why);
    }

    static String host(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }
}
