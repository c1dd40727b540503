package dev.berth.cri.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/** Checks values that parse but cannot work, so the daemon fails at startup rather than on the first pod. */
final class ConfigValidator {

    private static final Set<String> LOG_LEVELS = Set.of("trace", "debug", "info", "warn", "error");
    // sun_path in sockaddr_un is 108 bytes including the terminating NUL.
    private static final int MAX_SOCKET_PATH = 107;
    // <state>/sock/<24-char name>/attach must fit in a unix socket path.
    private static final int MAX_STATE_PATH = MAX_SOCKET_PATH - "/sock/".length() - 24 - "/attach".length();

    private final Path origin;

    ConfigValidator(Path origin) {
        this.origin = origin;
    }

    void validate(BerthConfig config) {
        ServerSection server = config.server();
        requireAbsolute("server.socket", server.socket());
        if (server.socket().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            fail("server.socket", quoted(server.socket()) + " is longer than a unix socket path may be ("
                    + MAX_SOCKET_PATH + " bytes)");
        }
        if (server.maxMessageBytes() < 4 * 1024 * 1024) {
            fail("server.max_message_bytes", server.maxMessageBytes() + " is below the 4 MiB minimum");
        }
        if (!LOG_LEVELS.contains(server.logLevel().toLowerCase(Locale.ROOT))) {
            fail("server.log_level", quoted(server.logLevel()) + " is not one of " + LOG_LEVELS);
        }
        if (server.shutdownGraceSeconds() < 0) {
            fail("server.shutdown_grace_seconds", "must not be negative");
        }
        if (server.eventBuffer() < 1) {
            fail("server.event_buffer", "must be at least 1");
        }
        requireAbsolute("storage.root", config.storage().root());
        requireAbsolute("storage.state", config.storage().state());
        if (config.storage().state().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_STATE_PATH) {
            fail("storage.state", quoted(config.storage().state()) + " is longer than " + MAX_STATE_PATH
                    + " bytes: container attach sockets live below it and a unix socket path is at most "
                    + MAX_SOCKET_PATH + " bytes");
        }
        validateRuntime(config.runtime());
        config.registry().forEach(this::validateRegistry);
        ImagesSection images = config.images();
        if (images.pullParallelism() < 1 || images.pullParallelism() > 32) {
            fail("images.pull_parallelism", images.pullParallelism() + " is outside 1..32");
        }
        if (images.progressTimeoutSeconds() < 1) {
            fail("images.progress_timeout_seconds", "must be at least 1");
        }
        if (images.maxLayerUnpackedBytes() < 1) {
            fail("images.max_layer_unpacked_bytes", "must be at least 1");
        }
        if (images.minFreeBytes() < 0) {
            fail("images.min_free_bytes", "must not be negative");
        }
        validateNetwork(config.network());
        validateStreaming(config.streaming());
        requireHostPort("metrics.address", config.metrics().address(), true);
    }

    private void validateRuntime(RuntimeSection runtime) {
        if (!Set.of("cgroupfs", "systemd").contains(runtime.cgroupDriver())) {
            fail("runtime.cgroup_driver", quoted(runtime.cgroupDriver()) + " is not \"cgroupfs\" or \"systemd\"");
        }
        if (runtime.handlers().isEmpty()) {
            fail("runtime.handlers", "at least one handler is needed");
        }
        runtime.handlers().forEach((name, handler) -> {
            if (!name.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
                fail("runtime.handlers." + name, "a handler name must be a DNS label (it is a RuntimeClass handler)");
            }
            if (handler.path() == null) {
                fail("runtime.handlers." + name + ".path", "missing");
            }
            requireAbsolute("runtime.handlers." + name + ".path", handler.path());
        });
        if (!runtime.handlers().containsKey(runtime.defaultHandler())) {
            fail("runtime.default_handler", quoted(runtime.defaultHandler()) + " is not among runtime.handlers "
                    + runtime.handlers().keySet());
        }
        if (runtime.shmSizeBytes() < 0) {
            fail("runtime.shm_size_bytes", "must not be negative");
        }
        if (runtime.stopTimeoutSeconds() < 0) {
            fail("runtime.stop_timeout_seconds", "must not be negative");
        }
        if (!Set.of("", RuntimeSection.RUNTIME_DEFAULT_PROFILE).contains(runtime.unsetSeccompProfile())) {
            fail("runtime.unset_seccomp_profile", quoted(runtime.unsetSeccompProfile()) + " is not \"\" (unconfined) "
                    + "or \"" + RuntimeSection.RUNTIME_DEFAULT_PROFILE + "\"");
        }
    }

    private void validateRegistry(String name, RegistrySection registry) {
        if (name.isBlank() || name.contains("/")) {
            fail("registry." + quoted(name), "a registry name is a host[:port], without scheme or path");
        }
        for (String mirror : registry.mirrors()) {
            URI uri;
            try {
                uri = URI.create(mirror);
            } catch (IllegalArgumentException e) {
                fail("registry." + quoted(name) + ".mirrors", quoted(mirror) + " is not a URL");
                return;
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                fail("registry." + quoted(name) + ".mirrors", quoted(mirror)
                        + " must be an http:// or https:// URL with a host");
            }
        }
    }

    private void validateNetwork(NetworkSection network) {
        if (!Set.of("auto", "builtin", "plugin").contains(network.mode())) {
            fail("network.mode", quoted(network.mode()) + " is not \"auto\", \"builtin\" or \"plugin\"");
        }
        if (!network.bridge().matches("[A-Za-z0-9_.-]{1,15}")) {
            fail("network.bridge", quoted(network.bridge()) + " is not a valid interface name (1-15 characters)");
        }
        requireCidr("network.subnet", network.subnet(), false);
        if (!network.subnetV6().isEmpty()) {
            requireCidr("network.subnet_v6", network.subnetV6(), true);
        }
        requireAbsolute("network.conf_dir", network.confDir());
        for (String dir : network.binDirs()) {
            requireAbsolute("network.bin_dirs", dir);
        }
        if (network.mtu() != 0 && (network.mtu() < 576 || network.mtu() > 65535)) {
            fail("network.mtu", network.mtu() + " is outside 576..65535 (0 = MTU of the default route)");
        }
    }

    private void validateStreaming(StreamingSection streaming) {
        requireHostPort("streaming.address", streaming.address(), false);
        if (streaming.tokenTtlSeconds() < 1 || streaming.tokenTtlSeconds() > 3600) {
            fail("streaming.token_ttl_seconds", streaming.tokenTtlSeconds() + " is outside 1..3600");
        }
        if (streaming.idleTimeoutSeconds() < 1) {
            fail("streaming.idle_timeout_seconds", "must be at least 1");
        }
        if (streaming.tlsCertFile().isEmpty() != streaming.tlsKeyFile().isEmpty()) {
            fail(streaming.tlsCertFile().isEmpty() ? "streaming.tls_cert_file" : "streaming.tls_key_file",
                    "TLS needs both tls_cert_file and tls_key_file (or neither)");
        }
        if (streaming.tls()) {
            requireAbsolute("streaming.tls_cert_file", streaming.tlsCertFile());
            requireAbsolute("streaming.tls_key_file", streaming.tlsKeyFile());
        }
    }

    private void requireCidr(String key, String value, boolean v6) {
        String[] parts = value.split("/", -1);
        boolean ok = parts.length == 2 && parts[1].matches("\\d{1,3}");
        if (ok) {
            int prefix = Integer.parseInt(parts[1]);
            ok = v6 ? parts[0].contains(":") && prefix <= 128 && prefix >= 8
                    : parts[0].matches("(\\d{1,3}\\.){3}\\d{1,3}") && prefix <= 30 && prefix >= 8;
            if (ok && !v6) {
                for (String octet : parts[0].split("\\.")) {
                    ok &= Integer.parseInt(octet) <= 255;
                }
            }
        }
        if (!ok) {
            fail(key, quoted(value) + " is not an " + (v6 ? "IPv6" : "IPv4") + " CIDR such as "
                    + (v6 ? "\"fd89::/64\"" : "\"10.89.0.0/16\"") + (v6 ? "" : " with a prefix of /8 to /30"));
        }
    }

    private void requireHostPort(String key, String value, boolean mayBeEmpty) {
        if (mayBeEmpty && value.isEmpty()) {
            return;
        }
        int colon = value.lastIndexOf(':');
        boolean ok = colon > 0 && value.substring(colon + 1).matches("\\d{1,5}")
                && Integer.parseInt(value.substring(colon + 1)) <= 65535;
        if (!ok) {
            fail(key, quoted(value) + " is not host:port (port 0 picks a free one)");
        }
    }

    private void requireAbsolute(String key, String value) {
        if (value == null || value.isEmpty() || !value.startsWith("/")) {
            fail(key, quoted(String.valueOf(value)) + " must be an absolute path");
        }
    }

    private void fail(String key, String reason) {
        throw new ConfigException("config " + origin + ": key " + key + ": " + reason);
    }

    private static String quoted(String value) {
        return "\"" + value + "\"";
    }
}
