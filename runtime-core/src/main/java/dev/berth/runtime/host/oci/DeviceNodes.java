package dev.berth.runtime.host.oci;

import dev.berth.common.error.BerthException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** Describes host device nodes as OCI devices (type, major/minor from st_rdev, mode, owner). */
public final class DeviceNodes {

    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    static final int MAX_DIRECTORY_ENTRIES = 16_384;
    // Never copied into privileged containers: these are per-container mounts.
    private static final Set<String> SKIPPED_DIRS = Set.of("pts", "shm", "mqueue", "fd", "hugepages");

    /** A device node plus the cgroup rule that lets the container use it. */
    public record DeviceAccess(OciSpec.Device device, OciSpec.DeviceRule rule) {
    }

    private DeviceNodes() {
    }

    /**
     * The device(s) at {@code hostPath} (a node, or a directory of nodes) exposed at {@code containerPath}.
     *
     * @param permissions any of "r", "w", "m"; empty means "rwm"
     */
    public static List<DeviceAccess> describe(String hostPath, String containerPath, String permissions) {
        String access = permissions == null || permissions.isEmpty() ? "rwm" : permissions;
        if (!access.matches("[rwm]{1,3}")) {
            throw BerthException.invalidArgument("invalid device permissions " + permissions);
        }
        Path host;
        try {
            host = Path.of(hostPath).toRealPath();
        } catch (IOException e) {
            throw BerthException.invalidArgument("device " + hostPath + " does not exist");
        }
        String target = containerPath == null || containerPath.isEmpty() ? hostPath : containerPath;
        List<DeviceAccess> result = new ArrayList<>();
        if (Files.isDirectory(host)) {
            for (Path node : nodesUnder(host, hostPath)) {
                deviceAt(node, target + "/" + host.relativize(node), access).ifPresent(result::add);
            }
            return result;
        }
        deviceAt(host, target, access).ifPresentOrElse(result::add,
                () -> {
                    throw BerthException.invalidArgument(hostPath + " is not a device");
                });
        return result;
    }

    /**
     * The files under a device directory, without following links. A device directory is a small tree like
     * {@code /dev/dri}; past {@link #MAX_DIRECTORY_ENTRIES} entries the request named the wrong directory (walking
     * {@code /} would read the whole host, /proc included), so it is refused rather than walked. Entries that cannot
     * be read are not devices berth could describe, and are skipped.
     */
    private static List<Path> nodesUnder(Path host, String hostPath) {
        List<Path> nodes = new ArrayList<>();
        try {
            Files.walkFileTree(host, new SimpleFileVisitor<>() {
                private int entries;

                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    count();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    count();
                    nodes.add(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                    // A directory that failed part way through its listing: what was listed is kept.
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    count();
                    return FileVisitResult.CONTINUE;
                }

                private void count() {
                    if (++entries > MAX_DIRECTORY_ENTRIES) {
                        throw BerthException.invalidArgument(hostPath + " holds more than " + MAX_DIRECTORY_ENTRIES
                                + " entries: a device directory is a small tree of device nodes, name it or the "
                                + "nodes themselves");
                    }
                }
            });
        } catch (IOException e) {
            throw BerthException.invalidArgument("cannot read devices under " + hostPath + ": " + e.getMessage());
        }
        return nodes;
    }

    /** Every char/block device of the host's /dev (privileged containers). */
    public static List<OciSpec.Device> allHostDevices() {
        List<OciSpec.Device> result = new ArrayList<>();
        Path dev = Path.of("/dev");
        try (Stream<Path> walk = Files.walk(dev)) {
            walk.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> p.getNameCount() < 2 || !SKIPPED_DIRS.contains(p.getName(1).toString()))
                    .filter(p -> !p.toString().equals("/dev/console"))
                    .forEach(p -> deviceAt(p, p.toString(), "rwm").ifPresent(d -> result.add(d.device())));
        } catch (IOException | java.io.UncheckedIOException e) {
            // a device that vanished mid-walk is not worth failing a container for
        }
        return result;
    }

    private static java.util.Optional<DeviceAccess> deviceAt(Path node, String containerPath, String access) {
        int mode;
        long rdev;
        long uid;
        long gid;
        try {
            mode = (Integer) Files.getAttribute(node, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            rdev = (Long) Files.getAttribute(node, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
            uid = (Integer) Files.getAttribute(node, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            gid = (Integer) Files.getAttribute(node, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
        String type;
        switch (mode & S_IFMT) {
            case S_IFCHR: type = "c"; break;
            case S_IFBLK: type = "b"; break;
            default: return java.util.Optional.empty();
        }
        long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
        long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
        OciSpec.Device device = new OciSpec.Device(type, containerPath, major, minor, mode & 07777, uid, gid);
        OciSpec.DeviceRule rule = new OciSpec.DeviceRule(true, type, major, minor, access);
        return java.util.Optional.of(new DeviceAccess(device, rule));
    }
}
