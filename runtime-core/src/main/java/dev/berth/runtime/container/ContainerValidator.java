package dev.berth.runtime.container;

import dev.berth.common.error.BerthException;
import dev.berth.common.error.RequestText;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.Mount;
import dev.berth.proto.runtime.v1.MountPropagation;
import dev.berth.proto.runtime.v1.NamespaceMode;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.runtime.host.oci.MountDestination;
import dev.berth.runtime.sandbox.UserNamespaceOptions;
import java.nio.file.Path;

/**
 * Refuses a CreateContainer request berth cannot honour before anything is reserved or created: a refused request
 * leaves no record, bundle, conmon, rootfs or directory behind. Each error names the request's field.
 */
final class ContainerValidator {

    private final ResourceValidator resources;
    private final HostSources hostSources;
    private final SecurityProfileChecks profiles;
    private final boolean recursiveReadOnlySupported;

    ContainerValidator(ResourceValidator resources, HostSources hostSources, SecurityProfileChecks profiles,
            boolean recursiveReadOnlySupported) {
        this.resources = resources;
        this.hostSources = hostSources;
        this.profiles = profiles;
        this.recursiveReadOnlySupported = recursiveReadOnlySupported;
    }

    /** Checks the request alone, before the pod is looked up. */
    void validate(ContainerConfig config) {
        if (!config.hasMetadata() || config.getMetadata().getName().isEmpty()) {
            throw BerthException.invalidArgument("config.metadata.name is required");
        }
        RequestText.withoutControlCharacters(config.getMetadata().getName(), "config.metadata.name");
        if (config.getImage().getImage().isEmpty()) {
            throw BerthException.invalidArgument("config.image.image is required");
        }
        processText(config);
        resources.validate(config.getLinux().getResources(), "config.linux.resources");
        var security = config.getLinux().getSecurityContext();
        if (security.hasRunAsGroup() && !security.hasRunAsUser() && security.getRunAsUsername().isEmpty()) {
            throw BerthException.invalidArgument("config.linux.security_context.run_as_group needs run_as_user or "
                    + "run_as_username: a group alone names no user to run as");
        }
        var namespaces = security.getNamespaceOptions();
        if (namespaces.getPid() == NamespaceMode.TARGET && namespaces.getTargetId().isEmpty()) {
            throw BerthException.invalidArgument("config.linux.security_context.namespace_options.target_id is "
                    + "required when pid is TARGET: it names the container whose PID namespace to join");
        }
        UserNamespaceOptions.validate(namespaces, "config.linux.security_context.namespace_options");
        mountPaths(config);
        String logPath = RequestText.path(config.getLogPath(), "config.log_path");
        if (!logPath.isEmpty() && Path.of(logPath).normalize().startsWith("..")) {
            throw BerthException.invalidArgument("config.log_path must stay inside the pod's log directory: "
                    + logPath);
        }
        profiles.validate(security);
        // Last: these look at the host's files.
        hostSources.validate(config);
    }

    /**
     * Checks the request against its pod. The pod's network and IPC namespaces are the container's whatever the
     * container's own namespace options say (containerd does the same: the kubelet copies the pod's choice into
     * each container), so only privilege can contradict the pod.
     */
    void validateInPod(ContainerConfig config, PodSandboxConfig pod) {
        if (config.getLinux().getSecurityContext().getPrivileged()
                && !pod.getLinux().getSecurityContext().getPrivileged()) {
            throw BerthException.invalidArgument("config.linux.security_context.privileged is true but the pod's "
                    + "linux.security_context.privileged is false: no privileged container in an unprivileged pod");
        }
    }

    /**
     * execve takes its program, arguments and environment as NUL-terminated strings, and runc refuses a NUL or an
     * empty variable name only inside the container's init, where its text would come back as INTERNAL.
     */
    private static void processText(ContainerConfig config) {
        for (int i = 0; i < config.getCommandCount(); i++) {
            RequestText.withoutNul(config.getCommand(i), "config.command[" + i + "]");
        }
        for (int i = 0; i < config.getArgsCount(); i++) {
            RequestText.withoutNul(config.getArgs(i), "config.args[" + i + "]");
        }
        RequestText.withoutNul(config.getWorkingDir(), "config.working_dir");
        RequestText.pathWithinLimits(config.getWorkingDir(), "config.working_dir");
        for (int i = 0; i < config.getEnvsCount(); i++) {
            var env = config.getEnvs(i);
            if (env.getKey().isEmpty()) {
                throw BerthException.invalidArgument("config.envs[" + i + "].key is empty: a variable needs a name");
            }
            RequestText.withoutNul(env.getKey(), "config.envs[" + i + "].key");
            RequestText.withoutNul(env.getValue(), "config.envs[" + i + "].value");
        }
    }

    private void mountPaths(ContainerConfig config) {
        for (int i = 0; i < config.getMountsCount(); i++) {
            var mount = config.getMounts(i);
            MountDestination.of(mount.getContainerPath(), "config.mounts[" + i + "].container_path");
            String hostPath = mount.getHostPath();
            String image = mount.getImage().getImage();
            if (hostPath.isEmpty() && image.isEmpty()) {
                throw BerthException.invalidArgument("config.mounts[" + i + "] has neither a host_path nor an image");
            }
            if (!image.isEmpty()) {
                imageVolume(mount, "config.mounts[" + i + "]");
            } else if (!mount.getImageSubPath().isEmpty()) {
                throw BerthException.invalidArgument("config.mounts[" + i + "].image_sub_path is set but the mount "
                        + "names no image");
            }
            RequestText.withoutControlCharacters(hostPath, "config.mounts[" + i + "].host_path");
            if (!hostPath.isEmpty() && !hostPath.startsWith("/")) {
                throw BerthException.invalidArgument("config.mounts[" + i + "].host_path must be an absolute path, "
                        + "got \"" + hostPath + "\"");
            }
            if (mount.getRecursiveReadOnly()) {
                recursiveReadOnly(mount, "config.mounts[" + i + "]");
            }
        }
    }

    private static void imageVolume(Mount mount, String field) {
        if (!mount.getHostPath().isEmpty()) {
            throw BerthException.invalidArgument(field + " names both a host_path and an image: one source only");
        }
        if (!mount.getReadonly()) {
            throw BerthException.invalidArgument(field + " mounts image " + mount.getImage().getImage()
                    + " writable: image volumes are read-only, set readonly");
        }
        RequestText.path(mount.getImageSubPath(), field + ".image_sub_path");
        ImageSubPath.check(mount.getImageSubPath(), field + ".image_sub_path");
    }

    private void recursiveReadOnly(Mount mount, String field) {
        if (!mount.getReadonly()) {
            throw BerthException.invalidArgument(field + ".recursive_read_only needs readonly: a mount cannot be "
                    + "read-only below its top and writable at it");
        }
        if (mount.getPropagation() != MountPropagation.PROPAGATION_PRIVATE) {
            throw BerthException.invalidArgument(field + ".recursive_read_only needs private propagation, got "
                    + mount.getPropagation() + ": mounts arriving later from the host would not be read-only");
        }
        if (!recursiveReadOnlySupported) {
            throw BerthException.invalidArgument(field + ".recursive_read_only is not supported on this host "
                    + "(mount_setattr is missing; Status does not advertise recursive_read_only_mounts)");
        }
    }
}
