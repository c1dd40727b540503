package dev.berth.cri.config;

import java.util.Map;
import java.util.TreeMap;

/** The daemon's whole effective configuration; every key has a default, so an absent file is a valid config. */
public record BerthConfig(ServerSection server, StorageSection storage, RuntimeSection runtime,
                          Map<String, RegistrySection> registry, ImagesSection images, NetworkSection network,
                          StreamingSection streaming, MetricsSection metrics) {

    public BerthConfig {
        server = server == null ? ServerSection.defaults() : server;
        storage = storage == null ? StorageSection.defaults() : storage;
        runtime = runtime == null ? RuntimeSection.defaults() : runtime;
        registry = registry == null ? Map.of() : Map.copyOf(new TreeMap<>(registry));
        images = images == null ? ImagesSection.defaults() : images;
        network = network == null ? NetworkSection.defaults() : network;
        streaming = streaming == null ? StreamingSection.defaults() : streaming;
        metrics = metrics == null ? MetricsSection.defaults() : metrics;
    }

    public static BerthConfig defaults() {
        return new BerthConfig(null, null, null, null, null, null, null, null);
    }

    /** The config the file's top-level table describes; an absent section or key takes its default. */
    static BerthConfig read(ConfigTable root) {
        Map<String, ConfigTable> registryTables = root.namedTables("registry");
        Map<String, RegistrySection> registries = null;
        if (registryTables != null) {
            registries = new TreeMap<>();
            for (Map.Entry<String, ConfigTable> registry : registryTables.entrySet()) {
                registries.put(registry.getKey(), RegistrySection.read(registry.getValue()));
            }
        }
        BerthConfig config = new BerthConfig(ServerSection.read(root.table("server")),
                StorageSection.read(root.table("storage")), RuntimeSection.read(root.table("runtime")), registries,
                ImagesSection.read(root.table("images")), NetworkSection.read(root.table("network")),
                StreamingSection.read(root.table("streaming")), MetricsSection.read(root.table("metrics")));
        root.rejectUnknownKeys();
        return config;
    }
}
