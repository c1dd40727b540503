package dev.berth.runtime.container;

import dev.berth.common.error.BerthException;
import dev.berth.common.error.RequestText;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.Device;
import dev.berth.proto.runtime.v1.Mount;
import dev.berth.proto.runtime.v1.MountPropagation;
import dev.berth.runtime.host.oci.DeviceNodes;
import dev.berth.runtime.host.oci.SourcePropagation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The host files a container request names: every mount's host_path must exist (berth does not create a missing
 * one: a typo in a hostPath volume would otherwise bind an empty directory the node then keeps) and be on a
 * shared host mount for BIDIRECTIONAL propagation (shared or slave for HOST_TO_CONTAINER), and every device
 * must be a device node (or a directory of them) with permissions made of r, w and m.
 */
final class HostSources {

    // Each letter at most once, in any order: what the device cgroup's access field takes.
    private static final Pattern PERMISSIONS = Pattern.compile("(?!.*(.).*\\1)[rwm]{1,3}");

    private final Supplier<SourcePropagation> propagation;

    /** @param propagation the node's mount table, read only when a mount asks for propagation */
    HostSources(Supplier<SourcePropagation> propagation) {
        this.propagation = propagation;
    }

    void validate(ContainerConfig config) {
        SourcePropagation table = null;
        for (int i = 0; i < config.getMountsCount(); i++) {
            Mount mount = config.getMounts(i);
            String hostPath = mount.getHostPath();
            String field = "config.mounts[" + i + "].host_path";
            if (hostPath.isEmpty()) {
                continue;
            }
            Path real;
            try {
                real = Path.of(hostPath).toRealPath();
            } catch (IOException e) {
                throw BerthException.invalidArgument(field + " " + hostPath + " does not exist on this node");
            }
            MountPropagation mode = mount.getPropagation();
            if (mode == MountPropagation.PROPAGATION_BIDIRECTIONAL
                    || mode == MountPropagation.PROPAGATION_HOST_TO_CONTAINER) {
                table = table == null ? propagation.get() : table;
                if (mode == MountPropagation.PROPAGATION_BIDIRECTIONAL) {
                    table.requireShared(real, field);
                } else {
                    table.requireSharedOrSlave(real, field);
                }
            }
        }
        for (int i = 0; i < config.getDevicesCount(); i++) {
            device(config.getDevices(i), "config.devices[" + i + "]");
        }
    }

    private static void device(Device device, String field) {
        String permissions = device.getPermissions();
        if (!permissions.isEmpty() && !PERMISSIONS.matcher(permissions).matches()) {
            throw BerthException.invalidArgument(field + ".permissions must combine r, w and m (each at most "
                    + "once), got \"" + permissions + "\"");
        }
        String hostPath = RequestText.withoutControlCharacters(device.getHostPath(), field + ".host_path");
        if (!hostPath.startsWith("/")) {
            throw BerthException.invalidArgument(field + ".host_path must be an absolute path, got \"" + hostPath
                    + "\"");
        }
        String containerPath = RequestText.path(device.getContainerPath(), field + ".container_path");
        if (!containerPath.isEmpty() && !containerPath.startsWith("/")) {
            throw BerthException.invalidArgument(field + ".container_path must be an absolute path, got \""
                    + containerPath + "\"");
        }
        boolean none;
        try {
            none = DeviceNodes.describe(hostPath, containerPath, permissions).isEmpty();
        } catch (BerthException e) {
            throw BerthException.invalidArgument(field + ".host_path: " + e.getMessage());
        }
        if (none) {
            throw BerthException.invalidArgument(field + ".host_path " + hostPath + " is a directory without "
                    + "device nodes");
        }
    }
}
