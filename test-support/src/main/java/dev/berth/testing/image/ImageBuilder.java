package dev.berth.testing.image;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.testing.registry.TestRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An image to push: layers (base first), the config's runtime settings, platform and manifest format. One builder
 * per image and thread; {@link #push} uploads layers, then the config, then the manifest.
 */
public final class ImageBuilder {

    public static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** Fixed so the config, and so the image ID, is the same on every run. */
    public static final Instant DEFAULT_CREATED = Instant.parse("2024-01-01T00:00:00Z");

    private final List<LayerSource> layers = new ArrayList<>();
    private final List<String> env = new ArrayList<>(List.of(DEFAULT_PATH));
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final Map<String, String> annotations = new LinkedHashMap<>();
    private final Set<String> exposedPorts = new LinkedHashSet<>();
    private final Set<String> volumes = new LinkedHashSet<>();
    private List<String> entrypoint;
    private List<String> cmd;
    private String workingDir;
    private String user;
    private String stopSignal;
    private Platform platform = Platform.LINUX_AMD64;
    private ManifestFormat format = ManifestFormat.OCI;
    private Instant created = DEFAULT_CREATED;

    private ImageBuilder() {
    }

    public static ImageBuilder create() {
        return new ImageBuilder();
    }

    public ImageBuilder layer(LayerSource layer) {
        layers.add(layer);
        return this;
    }

    public ImageBuilder layers(List<? extends LayerSource> more) {
        layers.addAll(more);
        return this;
    }

    public ImageBuilder entrypoint(String... argv) {
        entrypoint = List.of(argv);
        return this;
    }

    public ImageBuilder cmd(String... argv) {
        cmd = List.of(argv);
        return this;
    }

    /** Appends {@code KEY=VALUE} entries; the config starts with {@link #DEFAULT_PATH}. */
    public ImageBuilder env(String... entries) {
        env.addAll(Arrays.asList(entries));
        return this;
    }

    public ImageBuilder clearEnv() {
        env.clear();
        return this;
    }

    public ImageBuilder workingDir(String dir) {
        workingDir = dir;
        return this;
    }

    /** {@code name}, {@code uid}, {@code uid:gid} or {@code name:group}, as the config's {@code User}. */
    public ImageBuilder user(String value) {
        user = value;
        return this;
    }

    public ImageBuilder stopSignal(String signal) {
        stopSignal = signal;
        return this;
    }

    public ImageBuilder label(String key, String value) {
        labels.put(key, value);
        return this;
    }

    /** A manifest annotation (OCI only; Docker schema 2 has none). */
    public ImageBuilder annotation(String key, String value) {
        annotations.put(key, value);
        return this;
    }

    /** {@code "80/tcp"}. */
    public ImageBuilder exposedPort(String port) {
        exposedPorts.add(port);
        return this;
    }

    public ImageBuilder volume(String path) {
        volumes.add(path);
        return this;
    }

    public ImageBuilder platform(Platform value) {
        platform = value;
        return this;
    }

    public ImageBuilder format(ManifestFormat value) {
        format = value;
        return this;
    }

    public ImageBuilder created(Instant value) {
        created = value;
        return this;
    }

    public Platform platform() {
        return platform;
    }

    public ManifestFormat format() {
        return format;
    }

    /** Pushes the image and tags it. */
    public PushedImage push(TestRegistry registry, String repository, String tag) {
        RegistryUploader uploader = new RegistryUploader(registry);
        PushedManifest pushed = pushManifest(uploader, repository, tag);
        return pushed.toImage(registry.address(), repository, tag, pushed.descriptor().digest(),
                format.manifestMediaType());
    }

    /** Pushes layers, config and manifest; the manifest is stored under {@code tag}, or its digest when null. */
    PushedManifest pushManifest(RegistryUploader uploader, String repository, String tag) {
        if (format == ManifestFormat.DOCKER && !annotations.isEmpty()) {
            throw new IllegalStateException("Docker schema 2 manifests carry no annotations");
        }
        List<UploadedLayer> uploaded = new ArrayList<>();
        for (LayerSource layer : layers) {
            uploaded.add(uploader.uploadLayer(repository, layer));
        }
        Json json = new Json();
        byte[] config = json.bytes(config(json, uploaded));
        Descriptor configDescriptor = uploader.uploadBlob(repository, format.configMediaType(), config);
        byte[] manifest = json.bytes(manifest(json, configDescriptor, uploaded));
        String digest = Digests.sha256(manifest);
        uploader.putManifest(repository, tag == null ? digest : tag, format.manifestMediaType(), manifest);
        return new PushedManifest(new Descriptor(format.manifestMediaType(), digest, manifest.length), platform,
                configDescriptor, uploaded);
    }

    private ObjectNode config(Json json, List<UploadedLayer> uploaded) {
        ObjectNode root = json.object();
        root.put("created", created.toString());
        root.put("architecture", platform.architecture());
        root.put("os", platform.os());
        if (!platform.variant().isEmpty()) {
            root.put("variant", platform.variant());
        }
        ObjectNode config = root.putObject("config");
        if (user != null) {
            config.put("User", user);
        }
        if (!exposedPorts.isEmpty()) {
            ObjectNode ports = config.putObject("ExposedPorts");
            exposedPorts.forEach(ports::putObject);
        }
        if (!env.isEmpty()) {
            config.set("Env", json.strings(env));
        }
        if (entrypoint != null) {
            config.set("Entrypoint", json.strings(entrypoint));
        }
        if (cmd != null) {
            config.set("Cmd", json.strings(cmd));
        }
        if (!volumes.isEmpty()) {
            ObjectNode volumeNode = config.putObject("Volumes");
            volumes.forEach(volumeNode::putObject);
        }
        if (workingDir != null) {
            config.put("WorkingDir", workingDir);
        }
        if (!labels.isEmpty()) {
            ObjectNode labelNode = config.putObject("Labels");
            labels.forEach(labelNode::put);
        }
        if (stopSignal != null) {
            config.put("StopSignal", stopSignal);
        }
        ObjectNode rootfs = root.putObject("rootfs");
        rootfs.put("type", "layers");
        rootfs.set("diff_ids", json.strings(uploaded.stream().map(UploadedLayer::diffId).toList()));
        // One history entry per layer, as builders write them; some clients check the counts agree.
        ArrayNode history = root.putArray("history");
        for (int i = 0; i < uploaded.size(); i++) {
            ObjectNode entry = history.addObject();
            entry.put("created", created.toString());
            entry.put("created_by", "berth test-support layer " + i);
        }
        return root;
    }

    private ObjectNode manifest(Json json, Descriptor config, List<UploadedLayer> uploaded) {
        ObjectNode root = json.object();
        root.put("schemaVersion", 2);
        root.put("mediaType", format.manifestMediaType());
        root.set("config", json.descriptor(config));
        ArrayNode layerArray = root.putArray("layers");
        uploaded.forEach(layer -> layerArray.add(json.descriptor(layer.descriptor(format))));
        if (!annotations.isEmpty()) {
            ObjectNode node = root.putObject("annotations");
            annotations.forEach(node::put);
        }
        return root;
    }

    /** One platform's manifest, as an index refers to it. */
    record PushedManifest(Descriptor descriptor, Platform platform, Descriptor config, List<UploadedLayer> layers) {

        PushedImage toImage(String registry, String repository, String tag, String resolvedDigest,
                            String resolvedMediaType) {
            String reference = registry + "/" + repository + (tag == null ? "@" + resolvedDigest : ":" + tag);
            long size = config.size() + layers.stream().mapToLong(UploadedLayer::size).sum();
            long uncompressed = layers.stream().mapToLong(UploadedLayer::tarSize).sum();
            return new PushedImage(reference, registry, repository, tag == null ? "" : tag, resolvedDigest,
                    resolvedMediaType, descriptor.digest(), config.digest(),
                    layers.stream().map(UploadedLayer::digest).toList(),
                    layers.stream().map(UploadedLayer::diffId).toList(), size, uncompressed);
        }
    }
}
