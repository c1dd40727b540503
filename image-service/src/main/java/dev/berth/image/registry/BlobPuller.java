package dev.berth.image.registry;

import dev.berth.common.error.BerthException;
import dev.berth.image.RegistryCredentials;
import dev.berth.image.content.DigestingInputStream;
import dev.berth.image.manifest.Descriptor;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.Map;

/**
 * Fetches blobs. {@link #open} hands out the raw stream for layers (the caller verifies while it unpacks);
 * {@link #fetch} reads and verifies small blobs such as configs before returning any byte.
 */
public final class BlobPuller {

    private final RegistryEndpointCaller caller;
    private final RetryPolicy retry;

    public BlobPuller(RegistryEndpointCaller caller, RetryPolicy retry) {
        this.caller = caller;
        this.retry = retry;
    }

    /** Opens the blob's body, watched by the transfer's progress timeout; the caller must verify and close it. */
    public InputStream open(RegistryEndpoint endpoint, String repository, Descriptor blob,
                            RegistryCredentials credentials, TransferControl control) {
        HttpResponse<InputStream> response = caller.get(endpoint, repository,
                "/v2/" + repository + "/blobs/" + blob.digest(), Map.of(), credentials, control,
                "blob " + blob.digest());
        long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (declared >= 0 && declared != blob.size()) {
            HttpSender.closeBody(response);
            throw BerthException.failedPrecondition("blob " + blob.digest() + " from " + endpoint + " is " + declared
                    + " bytes, the manifest says " + blob.size());
        }
        return control.watch(response.body(), "blob " + blob.digest());
    }

    /** Reads a whole blob of at most {@code maxBytes} and returns it only once its digest and size check out. */
    public byte[] fetch(RegistryEndpoint endpoint, String repository, Descriptor blob, long maxBytes,
                        RegistryCredentials credentials, TransferControl control) {
        if (blob.size() > maxBytes) {
            throw BerthException.failedPrecondition("blob " + blob.digest() + " is " + blob.size()
                    + " bytes, more than the " + maxBytes + " allowed");
        }
        for (int attempt = 1; ; attempt++) {
            try (DigestingInputStream in = new DigestingInputStream(
                    open(endpoint, repository, blob, credentials, control), blob.digest(), blob.size())) {
                byte[] body = in.readAllBytes();
                in.verify("blob");
                return body;
            } catch (IOException e) {
                // A connection lost while reading the body: the request itself succeeded, so try it again here.
                control.checkActive();
                if (attempt >= retry.attempts()) {
                    throw new BerthException(BerthException.Kind.UNAVAILABLE, "cannot read blob " + blob.digest()
                            + " from " + endpoint + ": " + e.getMessage());
                }
            }
            control.sleep(retry.backoff(attempt));
        }
    }
}
