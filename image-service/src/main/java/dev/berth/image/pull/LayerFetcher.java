package dev.berth.image.pull;

import dev.berth.common.error.BerthException;
import dev.berth.image.content.DigestingInputStream;
import dev.berth.image.layer.BoundedLayerStream;
import dev.berth.image.layer.Decompression;
import dev.berth.image.layer.DiskUsage;
import dev.berth.image.layer.FreeSpace;
import dev.berth.image.layer.IncompleteLayer;
import dev.berth.image.layer.LayerInfo;
import dev.berth.image.layer.LayerStore;
import dev.berth.image.layer.TarUnpacker;
import dev.berth.image.layer.UnpackResult;
import dev.berth.image.registry.RegistryClient;
import dev.berth.image.registry.RetryPolicy;
import dev.berth.image.registry.TransferControl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Downloads one layer and unpacks it while it streams: blob → sha256 of the compressed bytes → gzip/zstd/none →
 * sha256 of the tar (the diff ID) → unpacker writing into an incomplete directory. The layer is published only
 * after both digests check out; anything else removes the directory. A connection lost mid-way starts the layer
 * over (with backoff); corrupt or malicious content does not. The uncompressed stream is held to a size limit and
 * to the storage reserve ({@link BoundedLayerStream}).
 */
public final class LayerFetcher {

    private static final Logger log = LoggerFactory.getLogger(LayerFetcher.class);

    private final RegistryClient registry;
    private final LayerStore layers;
    private final TarUnpacker unpacker;
    private final DiskUsage usage;
    private final RetryPolicy retry;
    private final long maxUnpackedBytes;
    private final FreeSpace space;

    /** @param maxUnpackedBytes the most bytes one layer's uncompressed tar may hold */
    public LayerFetcher(RegistryClient registry, LayerStore layers, TarUnpacker unpacker, DiskUsage usage,
                        RetryPolicy retry, long maxUnpackedBytes, FreeSpace space) {
        this.registry = registry;
        this.layers = layers;
        this.unpacker = unpacker;
        this.usage = usage;
        this.retry = retry;
        this.maxUnpackedBytes = maxUnpackedBytes;
        this.space = space;
    }

    public LayerInfo fetch(LayerJob job, TransferControl control) {
        String blob = job.blob().digest().toString();
        if (job.blob().size() > maxUnpackedBytes) {
            // Compression only shrinks real layers (gzip grows random data by well under 0.1%): it cannot fit.
            throw BerthException.failedPrecondition("layer " + blob + " is declared as " + job.blob().size()
                    + " bytes, more than the " + maxUnpackedBytes
                    + " bytes a layer may unpack to ([images] max_layer_unpacked_bytes)");
        }
        for (int attempt = 1; ; attempt++) {
            control.checkActive();
            var existing = layers.get(job.layerId());
            if (existing.isPresent()) {
                return existing.get();
            }
            space.check("pull of layer " + blob);
            IncompleteLayer incomplete = layers.begin(job.layerId());
            boolean published = false;
            TransportWatch transport = null;
            try {
                long started = System.nanoTime();
                transport = new TransportWatch(registry.openBlob(job.reference(), job.blob(), job.credentials(),
                        control));
                UnpackResult result;
                try (DigestingInputStream compressed = new DigestingInputStream(transport, job.blob().digest(),
                        job.blob().size())) {
                    DigestingInputStream tar = new DigestingInputStream(new BoundedLayerStream(
                            Decompression.open(compressed), maxUnpackedBytes, space, blob), job.diffId(), -1);
                    result = unpacker.unpack(tar, incomplete.diff(), blob);
                    tar.drain();
                    compressed.drain();
                    compressed.verify("layer blob");
                    tar.verify("uncompressed layer " + blob + " (diff ID)");
                }
                DiskUsage.Usage used = usage.measure(incomplete.diff());
                LayerInfo info = new LayerInfo(job.layerId(), job.chainId().toString(), job.diffId().toString(),
                        job.ancestorIds().isEmpty() ? "" : "sha256:" + job.ancestorIds().get(0),
                        LayerStore.linkName(job.layerId()), blob, job.blob().size(), used.bytes(), used.inodes(),
                        System.currentTimeMillis());
                LayerInfo stored = layers.commit(incomplete, info, job.ancestorIds());
                published = true;
                double seconds = (System.nanoTime() - started) / 1e9;
                log.debug("event=layer_unpacked layer={} blob={} bytes={} entries={} seconds={}", job.layerId(),
                        blob, job.blob().size(), result.entries(), String.format("%.2f", seconds));
                return stored;
            } catch (IOException e) {
                control.checkActive();
                if (transport == null || transport.failure == null) {
                    throw BerthException.failedPrecondition("layer " + blob + " is corrupt: " + e.getMessage());
                }
                if (attempt >= retry.attempts()) {
                    throw new BerthException(BerthException.Kind.UNAVAILABLE, "download of layer " + blob
                            + " failed after " + attempt + " attempts: " + e.getMessage());
                }
                log.info("event=layer_retry blob={} attempt={} error=\"{}\"", blob, attempt, e.getMessage());
            } catch (BerthException e) {
                if (control.isAborted()) {
                    throw control.abortCause();
                }
                throw e;
            } finally {
                if (!published) {
                    incomplete.discard();
                }
            }
            control.sleep(retry.backoff(attempt));
        }
    }

    /** Remembers whether the network side failed, to tell a dropped connection from corrupt content. */
    private static final class TransportWatch extends FilterInputStream {
        private volatile IOException failure;

        TransportWatch(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }
    }
}
