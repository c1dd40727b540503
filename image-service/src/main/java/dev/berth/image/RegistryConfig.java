package dev.berth.image;

import java.net.URI;
import java.util.List;

/**
 * How to reach one registry (keyed by its host, e.g. {@code docker.io} or {@code 127.0.0.1:5000}).
 *
 * @param mirrors              endpoints tried in order before the registry itself ({@code https://mirror.local},
 *                             {@code http://127.0.0.1:5001}); each serves the registry's repositories under the same
 *                             paths. The image keeps its original name whichever endpoint served it.
 * @param insecure             reach the registry itself over plain HTTP (mirrors use the scheme of their URI)
 * @param skipRegistryFallback only use the mirrors, never the registry itself
 */
public record RegistryConfig(List<URI> mirrors, boolean insecure, boolean skipRegistryFallback) {

    public RegistryConfig {
        mirrors = List.copyOf(mirrors);
        for (URI mirror : mirrors) {
            if (!"https".equals(mirror.getScheme()) && !"http".equals(mirror.getScheme())) {
                throw new IllegalArgumentException("mirror must be an http(s) URI: " + mirror);
            }
        }
    }

    public static RegistryConfig defaults() {
        return new RegistryConfig(List.of(), false, false);
    }

    public static RegistryConfig insecureRegistry() {
        return new RegistryConfig(List.of(), true, false);
    }
}
