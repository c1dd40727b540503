package dev.berth.image.registry;

import dev.berth.common.error.BerthException;
import dev.berth.image.RegistryCredentials;
import dev.berth.image.content.Digest;
import dev.berth.image.manifest.MediaTypes;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;

/**
 * Fetches a manifest by tag or digest, refusing bodies over 4 MiB (the limit registries apply) and verifying the
 * digest: against the requested digest when pulling by digest, else against the registry's
 * {@code Docker-Content-Digest} when it sends one.
 */
public final class ManifestPuller {

    public static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

    private final RegistryEndpointCaller caller;

    public ManifestPuller(RegistryEndpointCaller caller) {
        this.caller = caller;
    }

    /**
     * @param repository  repository path ({@code library/busybox})
     * @param reference   tag or digest string for the URL
     * @param expected    the digest the body must have, when known
     * @param what        names the manifest in errors
     */
    public PulledManifest pull(RegistryEndpoint endpoint, String repository, String reference,
                               Optional<Digest> expected, RegistryCredentials credentials,
                               TransferControl control, String what) {
        HttpResponse<InputStream> response = caller.get(endpoint, repository,
                "/v2/" + repository + "/manifests/" + reference, Map.of("Accept", MediaTypes.ACCEPT), credentials,
                control, "manifest " + what);
        long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (declared > MAX_MANIFEST_BYTES) {
            HttpSender.closeBody(response);
            throw tooLarge(what, declared);
        }
        byte[] body;
        try (InputStream in = control.watch(response.body(), "manifest " + what)) {
            body = in.readNBytes(MAX_MANIFEST_BYTES + 1);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.UNAVAILABLE, "cannot read manifest " + what + " from "
                    + endpoint + ": " + e.getMessage());
        }
        if (body.length > MAX_MANIFEST_BYTES) {
            throw tooLarge(what, body.length);
        }
        Digest actual;
        if (expected.isPresent()) {
            actual = Digest.of(expected.get().algorithm(), expected.get().newHasher().digest(body));
            if (!actual.equals(expected.get())) {
                throw mismatch(what, expected.get(), actual, endpoint);
            }
        } else {
            actual = Digest.sha256(body);
            Optional<Digest> reported = response.headers().firstValue("Docker-Content-Digest")
                    .flatMap(Digest::tryParse);
            if (reported.isPresent()) {
                Digest recomputed = reported.get().algorithm().equals("sha256") ? actual
                        : Digest.of(reported.get().algorithm(), reported.get().newHasher().digest(body));
                if (!recomputed.equals(reported.get())) {
                    throw mismatch(what, reported.get(), recomputed, endpoint);
                }
            }
        }
        String contentType = MediaTypes.strip(response.headers().firstValue("Content-Type").orElse(""));
        return new PulledManifest(actual, contentType, body, endpoint);
    }

    private static BerthException tooLarge(String what, long size) {
        return BerthException.failedPrecondition("manifest " + what + " is " + size + " bytes, more than the "
                + MAX_MANIFEST_BYTES + " bytes allowed");
    }

    private static BerthException mismatch(String what, Digest expected, Digest actual, RegistryEndpoint endpoint) {
        return BerthException.failedPrecondition("manifest " + what + " from " + endpoint
                + " does not match its digest: expected " + expected + ", got " + actual);
    }
}
