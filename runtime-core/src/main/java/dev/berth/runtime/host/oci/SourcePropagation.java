package dev.berth.runtime.host.oci;

import dev.berth.common.error.BerthException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The propagation of the host mount that holds a bind mount's source, from a mountinfo table. A BIDIRECTIONAL
 * mount only propagates when that mount is shared, a HOST_TO_CONTAINER one when it is shared or a slave; berth
 * checks and refuses rather than remount the node's own mounts (containerd checks the same way).
 */
public final class SourcePropagation {

    /** The mount holding a path: where it is mounted and its optional fields ("shared:N", "master:N"). */
    public record HostMount(String mountPoint, boolean shared, boolean slave) {
    }

    private final String mountinfo;

    public SourcePropagation(String mountinfo) {
        this.mountinfo = mountinfo;
    }

    public static SourcePropagation ofThisProcess() {
        try {
            return new SourcePropagation(Files.readString(Path.of("/proc/self/mountinfo")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/mountinfo", e);
        }
    }

    /** The last-mounted entry whose mount point is the path or its longest ancestor (the one a lookup reaches). */
    public HostMount mountOf(Path realPath) {
        HostMount best = null;
        for (String line : mountinfo.split("\n")) {
            String[] fields = line.split(" ");
            int separator = Arrays.asList(fields).indexOf("-");
            if (fields.length < 7 || separator < 6) {
                continue;
            }
            String mountPoint = unescape(fields[4]);
            if (!realPath.startsWith(Path.of(mountPoint))) {
                continue;
            }
            if (best == null || Path.of(mountPoint).getNameCount() >= Path.of(best.mountPoint()).getNameCount()) {
                boolean shared = false;
                boolean slave = false;
                for (int i = 6; i < separator; i++) {
                    shared |= fields[i].startsWith("shared:");
                    slave |= fields[i].startsWith("master:");
                }
                best = new HostMount(mountPoint, shared, slave);
            }
        }
        if (best == null) {
            throw BerthException.internal("no mount holds " + realPath, null);
        }
        return best;
    }

    /** @param field the request's name for the mount, for the error */
    public void requireShared(Path realPath, String field) {
        HostMount mount = mountOf(realPath);
        if (!mount.shared()) {
            throw BerthException.failedPrecondition(field + " " + realPath + " is on the mount " + mount.mountPoint()
                    + ", which is not a shared mount: BIDIRECTIONAL propagation needs it shared (mount --make-shared)");
        }
    }

    public void requireSharedOrSlave(Path realPath, String field) {
        HostMount mount = mountOf(realPath);
        if (!mount.shared() && !mount.slave()) {
            throw BerthException.failedPrecondition(field + " " + realPath + " is on the mount " + mount.mountPoint()
                    + ", which is neither shared nor a slave: HOST_TO_CONTAINER propagation needs one of them");
        }
    }

    // mountinfo escapes space, tab, newline and backslash as octal.
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
