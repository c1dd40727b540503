package dev.berth.runtime.container;

import dev.berth.common.error.BerthException;
import dev.berth.common.error.RequestText;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.Device;
import dev.berth.runtime.host.oci.DeviceNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The host files a container request names: every mount's host_path must exist (berth does not create a missing
 * one: a typo in a hostPath volume would otherwise bind an empty directory the node then keeps), and every device
 * must be a device node (or a directory of them) with permissions made of r, w and m.
 */
final class HostSources {

    // Each letter at most once, in any order: what the device cgroup's access field takes.
    private static final Pattern PERMISSIONS = Pattern.compile("(?!.*(.).*\\1)[rwm]{1,3}");

    void validate(ContainerConfig config) {
        for (int i = 0; i < config.getMountsCount(); i++) {
            String hostPath = config.getMounts(i).getHostPath();
            if (!hostPath.isEmpty() && !Files.exists(Path.of(hostPath))) {
                throw BerthException.invalidArgument("config.mounts[" + i + "].host_path " + hostPath
                        + " does not exist on this node");
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
        String containerPath = RequestText.withoutControlCharacters(device.getContainerPath(),
                field + ".container_path");
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
