package dev.berth.testing.registry;

import java.nio.file.Path;

/**
 * Renders docker-registry's YAML config: loopback listener, filesystem storage with deletes, no health checks or
 * upload purging running in the background, and the chosen auth.
 */
final class RegistryConfig {

    private final int port;
    private final Path storage;
    private String authSection = "";

    RegistryConfig(int port, Path storage) {
        this.port = port;
        this.storage = storage;
    }

    RegistryConfig htpasswd(Path file) {
        authSection = "auth:\n"
                + "  htpasswd:\n"
                + "    realm: " + quote("berth-test-registry") + "\n"
                + "    path: " + quote(file.toString()) + "\n";
        return this;
    }

    RegistryConfig token(String realm, String service, String issuer, Path rootCertBundle) {
        authSection = "auth:\n"
                + "  token:\n"
                + "    realm: " + quote(realm) + "\n"
                + "    service: " + quote(service) + "\n"
                + "    issuer: " + quote(issuer) + "\n"
                + "    rootcertbundle: " + quote(rootCertBundle.toString()) + "\n";
        return this;
    }

    String render() {
        return "version: 0.1\n"
                + "log:\n"
                + "  level: info\n"
                + "  formatter: text\n"
                + "  accesslog:\n"
                + "    disabled: false\n"
                + "storage:\n"
                + "  filesystem:\n"
                + "    rootdirectory: " + quote(storage.toString()) + "\n"
                + "  delete:\n"
                + "    enabled: true\n"
                + "  maintenance:\n"
                + "    uploadpurging:\n"
                + "      enabled: false\n"
                + "http:\n"
                // Loopback only: tests must never expose a registry on the node's addresses.
                + "  addr: " + quote("127.0.0.1:" + port) + "\n"
                + "  headers:\n"
                + "    X-Content-Type-Options: [nosniff]\n"
                + "health:\n"
                + "  storagedriver:\n"
                + "    enabled: false\n"
                + authSection;
    }

    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
