package dev.berth.image.registry;

import dev.berth.image.content.Digest;

/**
 * A manifest as fetched and verified: its bytes hash to {@code digest}.
 *
 * @param digest      the verified digest of {@code body}
 * @param contentType the registry's Content-Type (without parameters)
 * @param body        the exact bytes
 * @param endpoint    where it came from
 */
public record PulledManifest(Digest digest, String contentType, byte[] body, RegistryEndpoint endpoint) {
}
