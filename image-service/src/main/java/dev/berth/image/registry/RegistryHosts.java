package dev.berth.image.registry;

import dev.berth.image.RegistryConfig;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a registry is reached: its configured mirrors in order, then the registry itself (HTTPS unless marked
 * insecure; {@code docker.io} is served by {@code registry-1.docker.io}) unless fallback is disabled.
 */
public final class RegistryHosts {

    private static final String DOCKER_HUB_API = "registry-1.docker.io";

    private final Map<String, RegistryConfig> configs;

    public RegistryHosts(Map<String, RegistryConfig> configs) {
        Map<String, RegistryConfig> normalized = new HashMap<>();
        configs.forEach((host, config) -> normalized.put(normalizeHost(host), config));
        this.configs = Map.copyOf(normalized);
    }

    public List<RegistryEndpoint> endpoints(String domain) {
        RegistryConfig config = configs.getOrDefault(normalizeHost(domain), RegistryConfig.defaults());
        List<RegistryEndpoint> out = new ArrayList<>();
        for (URI mirror : config.mirrors()) {
            out.add(new RegistryEndpoint(mirror, true));
        }
        if (!config.skipRegistryFallback() || out.isEmpty()) {
            String host = domain.equals("docker.io") ? DOCKER_HUB_API : domain;
            out.add(new RegistryEndpoint(URI.create((config.insecure() ? "http" : "https") + "://" + host), false));
        }
        return out;
    }

    private static String normalizeHost(String host) {
        String h = host.toLowerCase(java.util.Locale.ROOT);
        return switch (h) {
            case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com" -> "docker.io";
            default -> h;
        };
    }
}
