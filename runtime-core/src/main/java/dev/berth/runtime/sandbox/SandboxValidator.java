package dev.berth.runtime.sandbox;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import java.nio.file.Path;

/** Rejects RunPodSandbox requests berth cannot honour before anything is done (INVALID_ARGUMENT naming the field). */
final class SandboxValidator {

    private SandboxValidator() {
    }

    static void validate(PodSandboxConfig config) {
        if (!config.hasMetadata()) {
            throw BerthException.invalidArgument("config.metadata is required");
        }
        require(config.getMetadata().getName(), "config.metadata.name");
        require(config.getMetadata().getNamespace(), "config.metadata.namespace");
        require(config.getMetadata().getUid(), "config.metadata.uid");
        NamespaceModes modes = SandboxConfigs.namespaces(config);
        if (modes.network() != NamespaceMode.POD && modes.network() != NamespaceMode.NODE) {
            throw BerthException.invalidArgument("linux.security_context.namespace_options.network must be POD or "
                    + "NODE for a sandbox, got " + modes.network());
        }
        if (modes.ipc() != NamespaceMode.POD && modes.ipc() != NamespaceMode.NODE) {
            throw BerthException.invalidArgument("linux.security_context.namespace_options.ipc must be POD or NODE "
                    + "for a sandbox, got " + modes.ipc());
        }
        if (modes.pid() == NamespaceMode.TARGET) {
            throw BerthException.invalidArgument("linux.security_context.namespace_options.pid TARGET applies to "
                    + "containers, not sandboxes");
        }
        String logDirectory = config.getLogDirectory();
        if (!logDirectory.isEmpty() && !Path.of(logDirectory).isAbsolute()) {
            throw BerthException.invalidArgument("config.log_directory must be absolute, got " + logDirectory);
        }
    }

    private static void require(String value, String field) {
        if (value.isEmpty()) {
            throw BerthException.invalidArgument(field + " is required");
        }
    }
}
