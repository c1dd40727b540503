package dev.berth.runtime.sandbox;

import dev.berth.common.error.BerthException;
import dev.berth.common.error.RequestText;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import java.nio.file.Path;
import java.util.regex.Pattern;

/** Rejects RunPodSandbox requests berth cannot honour before anything is done (INVALID_ARGUMENT naming the field). */
final class SandboxValidator {

    /** What sethostname(2) takes and the pod's /etc/hosts can hold: a DNS name of at most 64 characters. */
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,63})?");

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
        var security = config.getLinux().getSecurityContext();
        UserNamespaceOptions.validate(security.getNamespaceOptions(), "linux.security_context.namespace_options");
        if (modes.userns() != null) {
            ownUserNamespace(modes);
        }
        if (security.hasRunAsGroup() && !security.hasRunAsUser()) {
            throw BerthException.invalidArgument("linux.security_context.run_as_group needs run_as_user: a group "
                    + "alone names no user to run as");
        }
        if (!config.getHostname().isEmpty() && !HOSTNAME.matcher(config.getHostname()).matches()) {
            throw BerthException.invalidArgument("config.hostname must be a DNS name of at most 64 letters, digits, "
                    + "dots and dashes, got '" + config.getHostname() + "'");
        }
        String logDirectory = RequestText.path(config.getLogDirectory(), "config.log_directory");
        if (!logDirectory.isEmpty() && !Path.of(logDirectory).isAbsolute()) {
            throw BerthException.invalidArgument("config.log_directory must be absolute, got " + logDirectory);
        }
    }

    /**
     * A pod in its own user namespace cannot join namespaces owned by the host's: its network and IPC namespaces are
     * the pod's own (made inside its user namespace), and its PID namespace is each container's own or the pod's
     * shared one (whose holder enters the pod's user namespace before it makes it), never the node's.
     */
    private static void ownUserNamespace(NamespaceModes modes) {
        String prefix = "linux.security_context.namespace_options.";
        String why = " with " + prefix + "userns_options.mode POD (a pod in its own user namespace)";
        if (modes.network() != NamespaceMode.POD) {
            throw BerthException.invalidArgument(prefix + "network must be POD" + why + ", got " + modes.network());
        }
        if (modes.ipc() != NamespaceMode.POD) {
            throw BerthException.invalidArgument(prefix + "ipc must be POD" + why + ", got " + modes.ipc());
        }
        if (modes.pid() != NamespaceMode.CONTAINER && modes.pid() != NamespaceMode.POD) {
            throw BerthException.invalidArgument(prefix + "pid must be CONTAINER or POD" + why + ", got "
                    + modes.pid());
        }
    }

    // These names reach file names, CNI arguments and child processes' environments.
    private static void require(String value, String field) {
        if (value.isEmpty()) {
            throw BerthException.invalidArgument(field + " is required");
        }
        RequestText.withoutControlCharacters(value, field);
    }
}
