package dev.berth.image.pull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.error.BerthException;
import dev.berth.image.Platform;
import dev.berth.image.RegistryCredentials;
import dev.berth.image.content.Digest;
import dev.berth.image.layer.ChainIds;
import dev.berth.image.layer.FreeSpace;
import dev.berth.image.layer.LayerInfo;
import dev.berth.image.layer.LayerStore;
import dev.berth.image.manifest.Descriptor;
import dev.berth.image.manifest.ImageConfigDocument;
import dev.berth.image.manifest.ImageIndex;
import dev.berth.image.manifest.ImageManifest;
import dev.berth.image.manifest.ManifestParser;
import dev.berth.image.manifest.MediaTypes;
import dev.berth.image.manifest.ParsedManifest;
import dev.berth.image.manifest.PlatformMatcher;
import dev.berth.image.reference.ImageReference;
import dev.berth.image.registry.PulledManifest;
import dev.berth.image.registry.RegistryClient;
import dev.berth.image.registry.TransferControl;
import dev.berth.image.store.BlobStore;
import dev.berth.image.store.Leases;
import dev.berth.image.store.StoredImage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;

/**
 * Brings an image's content onto the node: manifest (through an index to the node's platform), config, then the
 * missing layers in parallel, each shared with any other pull that needs it. It returns once everything is stored
 * and verified; recording the image is the caller's step.
 */
public final class ImagePuller {

    private static final int MAX_INDEX_DEPTH = 4;
    private static final long MAX_CONFIG_BYTES = 8L * 1024 * 1024;

    private final RegistryClient registry;
    private final ManifestParser parser;
    private final PlatformMatcher platforms;
    private final Platform platform;
    private final BlobStore blobs;
    private final LayerStore layers;
    private final Leases leases;
    private final LayerFetcher fetcher;
    private final SingleFlight<byte[]> configFlights;
    private final SingleFlight<LayerInfo> layerFlights;
    private final ObjectMapper json;
    private final ScheduledExecutorService scheduler;
    private final Duration progressTimeout;
    private final FreeSpace space;

    public ImagePuller(RegistryClient registry, ObjectMapper json, Platform platform, BlobStore blobs,
                       LayerStore layers, Leases leases, LayerFetcher fetcher,
                       SingleFlight<byte[]> configFlights, SingleFlight<LayerInfo> layerFlights,
                       ScheduledExecutorService scheduler, Duration progressTimeout, FreeSpace space) {
        this.registry = registry;
        this.parser = new ManifestParser(json);
        this.platforms = new PlatformMatcher(platform);
        this.platform = platform;
        this.blobs = blobs;
        this.layers = layers;
        this.leases = leases;
        this.fetcher = fetcher;
        this.configFlights = configFlights;
        this.layerFlights = layerFlights;
        this.json = json;
        this.scheduler = scheduler;
        this.progressTimeout = progressTimeout;
        this.space = space;
    }

    public PulledImage pull(ImageReference ref, RegistryCredentials credentials, Instant deadline,
                            PullCancellation cancellation) {
        TransferControl control = new TransferControl(deadline, progressTimeout, scheduler);
        cancellation.whenCancelled(why -> control.abort(
                new BerthException(BerthException.Kind.CANCELLED, "pull cancelled: " + why)));
        control.checkActive();
        space.check("pull of " + ref); // before anything is written, so a refused pull leaves nothing
        Leases.Lease lease = leases.open();
        try {
            return pull(ref, credentials, deadline, control, lease);
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    private PulledImage pull(ImageReference ref, RegistryCredentials credentials, Instant deadline,
                             TransferControl control, Leases.Lease lease) {
        List<PulledManifest> manifests = new ArrayList<>();
        PulledManifest top = registry.pullManifest(ref, credentials, control);
        manifests.add(top);
        lease.addBlob(top.digest().toString());
        ParsedManifest parsed = parser.parse(top.body(), top.contentType(), ref + " (" + top.digest() + ")");
        String topMediaType = parsed.mediaType();
        int depth = 0;
        while (parsed instanceof ImageIndex index) {
            if (++depth > MAX_INDEX_DEPTH) {
                throw BerthException.failedPrecondition("image " + ref + " nests indexes too deeply");
            }
            Descriptor chosen = platforms.select(index.manifests()).orElseThrow(() -> BerthException.notFound(
                    "image " + ref + " has no manifest for " + platform + " (it has " + available(index) + ")"));
            PulledManifest child = registry.pullManifest(ref, chosen.digest(), credentials, control);
            manifests.add(child);
            lease.addBlob(child.digest().toString());
            parsed = parser.parse(child.body(), child.contentType(), ref.repository() + "@" + child.digest());
        }
        ImageManifest manifest = (ImageManifest) parsed;
        checkMediaTypes(ref, manifest);

        Descriptor configBlob = manifest.config();
        lease.addBlob(configBlob.digest().toString());
        byte[] config = config(ref, configBlob, credentials, deadline, control);
        ImageConfigDocument document = ImageConfigDocument.parse(json, config, configBlob.digest().toString());
        if (document.diffIds().size() != manifest.layers().size()) {
            throw BerthException.failedPrecondition("image " + ref + " is inconsistent: its manifest has "
                    + manifest.layers().size() + " layers, its config " + document.diffIds().size() + " diff IDs");
        }
        List<Digest> chainIds = ChainIds.of(document.diffIds());
        LayerResult fetched = layers(ref, manifest, document, chainIds, credentials, deadline, control, lease);

        for (PulledManifest m : manifests) {
            blobs.write(m.digest(), m.body());
        }
        long size = manifests.stream().mapToLong(m -> m.body().length).sum() + configBlob.size()
                + manifest.layers().stream().mapToLong(Descriptor::size).sum();
        StoredImage image = new StoredImage(configBlob.digest().toString(),
                ref.repoTag().map(List::of).orElse(List.of()), List.of(ref.repoDigest(top.digest())),
                top.digest().toString(), topMediaType, manifests.stream()
                        .map(m -> m.digest().toString()).toList(), configBlob.digest().toString(),
                document.diffIds().stream().map(Digest::toString).toList(),
                chainIds.stream().map(Digest::toString).toList(), size, document.view(),
                System.currentTimeMillis());
        long bytes = fetched.bytes + manifests.stream().mapToLong(m -> m.body().length).sum() + configBlob.size();
        return new PulledImage(image, lease, bytes, fetched.reused, fetched.reusedBytes);
    }

    private byte[] config(ImageReference ref, Descriptor configBlob, RegistryCredentials credentials,
                          Instant deadline, TransferControl waiter) {
        Optional<byte[]> stored = blobs.read(configBlob.digest());
        if (stored.isPresent()) {
            return stored.get();
        }
        SingleFlight<byte[]>.Ticket ticket = configFlights.join(configBlob.digest().toString(), control -> {
            byte[] body = registry.fetchBlob(ref, configBlob, MAX_CONFIG_BYTES, credentials, control);
            blobs.write(configBlob.digest(), body);
            return body;
        });
        try {
            return ticket.await(deadline, waiter);
        } finally {
            ticket.leave();
        }
    }

    private record LayerResult(long bytes, int reused, long reusedBytes) {
    }

    private LayerResult layers(ImageReference ref, ImageManifest manifest, ImageConfigDocument document,
                               List<Digest> chainIds, RegistryCredentials credentials, Instant deadline,
                               TransferControl waiter, Leases.Lease lease) {
        List<SingleFlight<LayerInfo>.Ticket> tickets = new ArrayList<>();
        long bytes = 0;
        int reused = 0;
        long reusedBytes = 0;
        for (int i = 0; i < chainIds.size(); i++) {
            String id = chainIds.get(i).hex();
            lease.addLayer(id);
            if (layers.contains(id)) {
                reused++;
                reusedBytes += manifest.layers().get(i).size();
                continue;
            }
            List<String> ancestors = new ArrayList<>();
            for (int j = i - 1; j >= 0; j--) {
                ancestors.add(chainIds.get(j).hex());
            }
            LayerJob job = new LayerJob(ref, manifest.layers().get(i), document.diffIds().get(i), chainIds.get(i),
                    ancestors, credentials);
            tickets.add(layerFlights.join(id, control -> fetcher.fetch(job, control)));
            bytes += job.blob().size();
        }
        try {
            for (SingleFlight<LayerInfo>.Ticket ticket : tickets) {
                ticket.await(deadline, waiter);
            }
        } catch (RuntimeException e) {
            // Stop the other layers of this pull (unless another pull needs them) and let them clean up first.
            tickets.forEach(SingleFlight.Ticket::leave);
            tickets.forEach(SingleFlight.Ticket::settle);
            throw e;
        } finally {
            tickets.forEach(SingleFlight.Ticket::leave);
        }
        return new LayerResult(bytes, reused, reusedBytes);
    }

    private static void checkMediaTypes(ImageReference ref, ImageManifest manifest) {
        String configType = manifest.config().mediaType();
        if (!MediaTypes.CONFIGS.contains(configType)) {
            throw BerthException.failedPrecondition("image " + ref + " is not a container image: config media type \""
                    + configType + "\"");
        }
        for (Descriptor layer : manifest.layers()) {
            if (!MediaTypes.LAYERS.contains(layer.mediaType())) {
                throw BerthException.failedPrecondition("image " + ref + " has layer " + layer.digest()
                        + " of unsupported media type \"" + layer.mediaType() + "\"");
            }
        }
    }

    private static String available(ImageIndex index) {
        String list = index.manifests().stream()
                .map(d -> d.platform().map(Platform::toString).orElse("unknown"))
                .distinct().collect(Collectors.joining(", "));
        return list.isEmpty() ? "no platforms" : list;
    }
}
