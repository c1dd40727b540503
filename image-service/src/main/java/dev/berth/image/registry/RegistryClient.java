package dev.berth.image.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.error.BerthException;
import dev.berth.image.RegistryCredentials;
import dev.berth.image.content.Digest;
import dev.berth.image.manifest.Descriptor;
import dev.berth.image.reference.ImageReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The registry side of a pull, over {@code java.net.http}: each operation is tried on the registry's endpoints in
 * order (mirrors, then the registry) until one serves it. One small class per operation does the work
 * ({@link ManifestPuller}, {@link BlobPuller}, {@link RegistryAuthenticator}, {@link RegistryEndpointCaller}).
 */
public final class RegistryClient {

    private static final Logger log = LoggerFactory.getLogger(RegistryClient.class);
    /** How long an endpoint that could not be reached goes to the back of the line. */
    private static final Duration UNREACHABLE_COOLDOWN = Duration.ofSeconds(30);

    private final RegistryHosts hosts;
    private final ManifestPuller manifests;
    private final BlobPuller blobs;
    private final Map<URI, Instant> unreachableUntil = new ConcurrentHashMap<>();

    public RegistryClient(RegistryHosts hosts, ManifestPuller manifests, BlobPuller blobs) {
        this.hosts = hosts;
        this.manifests = manifests;
        this.blobs = blobs;
    }

    /** Wires the default stack: one HTTP/1.1 client (parallel layers get their own connections), no auto-redirects. */
    public static RegistryClient create(RegistryHosts hosts, ObjectMapper json, Duration connectTimeout,
                                        RetryPolicy retry) {
        HttpSender sender = new HttpSender(new LazyHttpClient(connectTimeout), retry);
        RegistryAuthenticator authenticator = new RegistryAuthenticator(sender, json, new TokenCache());
        RegistryEndpointCaller caller = new RegistryEndpointCaller(sender, authenticator, json);
        return new RegistryClient(hosts, new ManifestPuller(caller), new BlobPuller(caller, retry));
    }

    /** Fetches the manifest a reference names (by digest when it has one), verified. */
    public PulledManifest pullManifest(ImageReference ref, RegistryCredentials credentials, TransferControl control) {
        return onEndpoints(ref, control, "manifest " + ref, endpoint -> manifests.pull(endpoint, ref.path(),
                ref.manifestReference(), ref.digest(), credentials, control, ref.toString()));
    }

    /** Fetches a child manifest of an index by its digest, verified. */
    public PulledManifest pullManifest(ImageReference ref, Digest digest, RegistryCredentials credentials,
                                       TransferControl control) {
        String what = ref.repository() + "@" + digest;
        return onEndpoints(ref, control, "manifest " + what, endpoint -> manifests.pull(endpoint, ref.path(),
                digest.toString(), Optional.of(digest), credentials, control, what));
    }

    /** Reads a small blob (a config) whole, verified before it is returned. */
    public byte[] fetchBlob(ImageReference ref, Descriptor blob, long maxBytes, RegistryCredentials credentials,
                            TransferControl control) {
        return onEndpoints(ref, control, "blob " + blob.digest(),
                endpoint -> blobs.fetch(endpoint, ref.path(), blob, maxBytes, credentials, control));
    }

    /** Opens a blob's body for streaming; the caller verifies it. */
    public InputStream openBlob(ImageReference ref, Descriptor blob, RegistryCredentials credentials,
                                TransferControl control) {
        return onEndpoints(ref, control, "blob " + blob.digest(),
                endpoint -> blobs.open(endpoint, ref.path(), blob, credentials, control));
    }

    private <T> T onEndpoints(ImageReference ref, TransferControl control, String what,
                              Function<RegistryEndpoint, T> operation) {
        List<RegistryEndpoint> endpoints = ordered(hosts.endpoints(ref.domain()));
        List<String> failures = new ArrayList<>();
        BerthException last = null;
        for (RegistryEndpoint endpoint : endpoints) {
            try {
                T result = operation.apply(endpoint);
                unreachableUntil.remove(endpoint.base());
                return result;
            } catch (BerthException e) {
                control.checkActive();
                if (e.kind() == BerthException.Kind.DEADLINE_EXCEEDED || e.kind() == BerthException.Kind.CANCELLED) {
                    throw e;
                }
                if (endpoints.size() > 1) {
                    log.info("event=registry_endpoint_failed endpoint={} what=\"{}\" error=\"{}\"", endpoint, what,
                            e.getMessage());
                    if (e.kind() == BerthException.Kind.UNAVAILABLE) {
                        unreachableUntil.put(endpoint.base(), Instant.now().plus(UNREACHABLE_COOLDOWN));
                    }
                }
                failures.add(e.getMessage());
                last = e;
            }
        }
        if (failures.size() == 1) {
            throw last;
        }
        throw new BerthException(last.kind(), "every endpoint failed for " + what + ": "
                + String.join("; ", failures), last);
    }

    /**
     * Configured order, except that endpoints found unreachable in the last moments go last: one pull's many
     * requests (and the next pulls) do not each wait for a mirror that is down.
     */
    private List<RegistryEndpoint> ordered(List<RegistryEndpoint> endpoints) {
        Instant now = Instant.now();
        List<RegistryEndpoint> healthy = new ArrayList<>();
        List<RegistryEndpoint> cooling = new ArrayList<>();
        for (RegistryEndpoint endpoint : endpoints) {
            Instant until = unreachableUntil.get(endpoint.base());
            if (until != null && now.isBefore(until)) {
                cooling.add(endpoint);
            } else {
                healthy.add(endpoint);
            }
        }
        healthy.addAll(cooling);
        return healthy;
    }
}
