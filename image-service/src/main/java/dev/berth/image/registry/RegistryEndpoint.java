package dev.berth.image.registry;

import java.net.URI;

/**
 * A base URI serving the registry API for one registry: a mirror or the registry itself.
 *
 * @param base   scheme, host, port and optional path prefix; {@code /v2/…} is appended
 * @param mirror whether this is a mirror (for logs and errors)
 */
public record RegistryEndpoint(URI base, boolean mirror) {

    /** The URI of an API path such as {@code /v2/library/busybox/manifests/latest}. */
    public URI resolve(String apiPath) {
        String prefix = base.getRawPath() == null ? "" : base.getRawPath();
        if (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        return URI.create(base.getScheme() + "://" + base.getRawAuthority() + prefix + apiPath);
    }

    @Override
    public String toString() {
        return (mirror ? "mirror " : "") + base;
    }
}
