package dev.berth.testing.image;

import dev.berth.testing.registry.TestRegistry;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The registry HTTP API calls an image push needs: blob HEAD, monolithic (POST + PUT) and streamed
 * (POST + PATCH + PUT) blob uploads, manifest PUT. Authenticates with what the {@link TestRegistry} hands out.
 */
public final class RegistryUploader {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final TestRegistry registry;

    public RegistryUploader(TestRegistry registry) {
        this.registry = registry;
    }

    public TestRegistry registry() {
        return registry;
    }

    public boolean blobExists(String repository, String digest) {
        HttpResponse<String> response = send(repository,
                request(repository, "/blobs/" + digest).method("HEAD", HttpRequest.BodyPublishers.noBody()));
        return response.statusCode() == 200;
    }

    /** Uploads a layer of either kind. */
    public UploadedLayer uploadLayer(String repository, LayerSource source) {
        if (source instanceof Layer) {
            Layer layer = (Layer) source;
            uploadBlob(repository, layer.compression().mediaType(ManifestFormat.OCI), layer.blobUnsafe());
            return new UploadedLayer(layer.compression(), layer.digest(), layer.size(), layer.diffId(),
                    layer.tarSize());
        }
        return uploadStreamed(repository, (StreamedLayer) source);
    }

    /** Uploads a blob held in memory unless the repository already has it. */
    public Descriptor uploadBlob(String repository, String mediaType, byte[] blob) {
        String digest = Digests.sha256(blob);
        if (!blobExists(repository, digest)) {
            URI location = startUpload(repository);
            HttpRequest.Builder put = authorized(repository, HttpRequest.newBuilder(withDigest(location, digest)))
                    .header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(blob));
            expect(send(repository, put), 201, "PUT blob " + digest);
        }
        return new Descriptor(mediaType, digest, blob.length);
    }

    /**
     * Generates a layer straight into a PATCH request body and commits it with the digest computed on the way,
     * so the blob is never held in memory.
     */
    public UploadedLayer uploadStreamed(String repository, StreamedLayer layer) {
        URI location = startUpload(repository);
        PipedInputStream body = new PipedInputStream(1024 * 1024);
        PipedOutputStream sink;
        try {
            sink = new PipedOutputStream(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CompletableFuture<LayerDigests> writer = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try (sink) {
                writer.complete(LayerDigests.write(sink, layer.compression(), layer.content(),
                        layer.incompressible()));
            } catch (Throwable t) {
                writer.completeExceptionally(t);
            }
        }, "layer-writer");
        thread.setDaemon(true);
        thread.start();
        HttpResponse<String> patched;
        try {
            HttpRequest.Builder patch = authorized(repository, HttpRequest.newBuilder(location))
                    .header("Content-Type", "application/octet-stream")
                    .method("PATCH", HttpRequest.BodyPublishers.ofInputStream(() -> body));
            patched = send(repository, patch);
        } finally {
            try {
                body.close(); // unblocks the writer if the request gave up early
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
        LayerDigests digests = await(writer);
        expect(patched, 202, "PATCH blob upload");
        URI committed = location.resolve(patched.headers().firstValue("Location")
                .orElseThrow(() -> new RegistryException("PATCH response without Location")));
        HttpRequest.Builder put = authorized(repository, HttpRequest.newBuilder(withDigest(committed,
                digests.digest()))).PUT(HttpRequest.BodyPublishers.noBody());
        expect(send(repository, put), 201, "PUT streamed blob " + digests.digest());
        return new UploadedLayer(layer.compression(), digests.digest(), digests.size(), digests.diffId(),
                digests.tarSize());
    }

    /** Stores a manifest under a tag or its digest and returns the digest the registry reports. */
    public String putManifest(String repository, String reference, String mediaType, byte[] manifest) {
        HttpRequest.Builder put = request(repository, "/manifests/" + reference)
                .header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest));
        HttpResponse<String> response = send(repository, put);
        expect(response, 201, "PUT manifest " + repository + ":" + reference);
        String expected = Digests.sha256(manifest);
        String reported = response.headers().firstValue("Docker-Content-Digest").orElse(expected);
        if (!reported.equals(expected)) {
            throw new RegistryException("registry stored manifest as " + reported + ", expected " + expected);
        }
        return expected;
    }

    private URI startUpload(String repository) {
        HttpResponse<String> response = send(repository,
                request(repository, "/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody()));
        expect(response, 202, "POST blob upload");
        String location = response.headers().firstValue("Location")
                .orElseThrow(() -> new RegistryException("upload response without Location"));
        return registry.baseUri().resolve(location);
    }

    private static URI withDigest(URI location, String digest) {
        String base = location.toString();
        return URI.create(base + (base.contains("?") ? "&" : "?") + "digest=" + digest);
    }

    private HttpRequest.Builder request(String repository, String suffix) {
        return authorized(repository, HttpRequest.newBuilder(registry.baseUri().resolve("/v2/" + repository + suffix)));
    }

    private HttpRequest.Builder authorized(String repository, HttpRequest.Builder builder) {
        Optional<String> authorization = registry.authorization(repository);
        authorization.ifPresent(value -> builder.header("Authorization", value));
        return builder.timeout(TIMEOUT);
    }

    private HttpResponse<String> send(String repository, HttpRequest.Builder request) {
        try {
            return registry.httpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("registry request for " + repository + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted talking to the registry");
        }
    }

    private static void expect(HttpResponse<String> response, int status, String what) {
        if (response.statusCode() != status) {
            throw new RegistryException(what + ": HTTP " + response.statusCode() + " " + response.body());
        }
    }

    private static LayerDigests await(CompletableFuture<LayerDigests> writer) {
        try {
            return writer.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while generating a layer");
        } catch (ExecutionException e) {
            throw new RegistryException("generating a layer failed: " + e.getCause(), e.getCause());
        }
    }
}
