package dev.berth.cri.server;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/** The CRI socket's file: made ready for binding (stale file replaced, live one refused) and given its mode. */
final class UnixSocketFile {

    private final Path path;

    UnixSocketFile(Path path) {
        this.path = path;
    }

    /**
     * Removes a socket file a dead daemon left behind. Called only while holding the socket lock; a socket that
     * still accepts connections belongs to something else that is alive, so it is never taken over.
     */
    void prepare() {
        try {
            Files.createDirectories(path.toAbsolutePath().getParent());
            if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            if (!Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()) {
                throw new StartupException(path + " exists and is not a socket; remove it or choose another "
                        + "server.socket");
            }
            if (accepts()) {
                throw new StartupException(path + " is served by a live process that is not a berth holding its "
                        + "lock; stop it or choose another server.socket");
            }
            Files.delete(path);
        } catch (IOException e) {
            throw new StartupException("cannot prepare socket " + path + ": " + e.getMessage(), e);
        }
    }

    /** Only root and the owning group (the kubelet runs as root) may talk to the runtime. */
    void restrictMode() {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
        } catch (IOException e) {
            throw new StartupException("cannot set mode of " + path + ": " + e.getMessage(), e);
        }
    }

    void delete() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // A leftover socket file is replaced at the next start.
        }
    }

    private boolean accepts() {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
