package dev.berth.runtime;

import dev.berth.runtime.host.ns.NamespacePins;
import dev.berth.runtime.host.ns.UserNamespaceMapping;
import dev.berth.runtime.spi.RootfsProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks once at start-up whether pods can have their own user namespace here: a user namespace can be made and
 * pinned with a mapping, and the root filesystem provider can give an idmapped view through it. Costs one helper
 * spawn; leaves nothing behind.
 */
final class UserNamespaceProbe {

    private static final Logger LOG = LoggerFactory.getLogger(UserNamespaceProbe.class);
    private static final String PIN_NAME = "userns-probe";
    /** An id range that no probe result depends on: only its root's host uid is checked. */
    private static final UserNamespaceMapping MAPPING = new UserNamespaceMapping(1_000_000_000L, 65536,
            1_000_000_000L, 65536);

    private UserNamespaceProbe() {
    }

    private static Optional<Path> unsearchableAncestor(Path dir) {
        for (Path p = dir.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            try {
                if (Files.exists(p) && !Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return Optional.of(p);
                }
            } catch (IOException e) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * @param dirs the directories whose files a pod's containers reach as a non-root host id (berth's root and
     *             state directories: rootfs, sandbox files, shm); every directory above them must be searchable
     */
    static boolean works(NamespacePins pins, RootfsProvider rootfs, List<Path> dirs) {
        for (Path dir : dirs) {
            Optional<Path> closed = unsearchableAncestor(dir);
            if (closed.isPresent()) {
                LOG.warn("event=user_namespaces_unsupported reason=\"{} is not searchable by others (o+x): a pod's "
                        + "mapped root could not reach its files under {}\"", closed.get(), dir);
                return false;
            }
        }
        try {
            Path userns = pins.pinUserNamespace(PIN_NAME, MAPPING);
            try {
                boolean works = rootfs.idmappedLayersWork(userns, MAPPING.hostUid());
                LOG.info("event=user_namespaces_probed supported={}", works);
                return works;
            } finally {
                pins.unpin(PIN_NAME);
            }
        } catch (RuntimeException e) {
            LOG.warn("event=user_namespaces_unsupported error=\"{}\"", e.getMessage());
            return false;
        }
    }
}
