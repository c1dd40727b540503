package dev.berth.runtime.host.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Resolves a path inside a container root filesystem the way the container would see it: symbolic links are
 * followed relative to the rootfs, never out of it (an image's /etc/passwd may be an absolute link).
 */
public final class RootfsPaths {

    private static final int MAX_LINKS = 40;

    private RootfsPaths() {
    }

    /** The host path of {@code containerPath} inside {@code rootfs}; never outside it. */
    public static Path resolve(Path rootfs, String containerPath) {
        Deque<String> pending = new ArrayDeque<>();
        push(pending, containerPath);
        Deque<String> resolved = new ArrayDeque<>();
        int links = 0;
        while (!pending.isEmpty()) {
            String part = pending.pop();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!resolved.isEmpty()) {
                    resolved.removeLast();
                }
                continue;
            }
            resolved.addLast(part);
            Path host = hostPath(rootfs, resolved);
            if (Files.isSymbolicLink(host)) {
                if (++links > MAX_LINKS) {
                    return host;
                }
                String target;
                try {
                    target = Files.readSymbolicLink(host).toString();
                } catch (IOException e) {
                    return host;
                }
                resolved.removeLast();
                if (target.startsWith("/")) {
                    resolved.clear();
                }
                push(pending, target);
            }
        }
        return hostPath(rootfs, resolved);
    }

    /** Reads a small text file inside the rootfs, if it exists as a regular file. */
    public static Optional<String> readText(Path rootfs, String containerPath) {
        Path file = resolve(rootfs, containerPath);
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            return Optional.of(Files.readString(file));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void push(Deque<String> pending, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            pending.push(parts[i]);
        }
    }

    private static Path hostPath(Path rootfs, Deque<String> parts) {
        Path result = rootfs;
        for (String part : parts) {
            result = result.resolve(part);
        }
        return result;
    }
}
