package dev.berth.image.store;

import dev.berth.common.fs.MountTable;
import dev.berth.common.error.BerthException;
import dev.berth.common.exec.Command;
import dev.berth.common.exec.CommandFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Mounts and unmounts overlay filesystems with {@code mount(8)}, run from the {@code overlay2} directory so the
 * options can name layers by short relative links: 60 layers then need ~1.8 KB of options instead of the ~6 KB of
 * absolute paths that would overflow the kernel's one-page limit.
 */
public final class OverlayMounter {

    private static final Logger log = LoggerFactory.getLogger(OverlayMounter.class);
    /** The kernel copies mount options into one page. */
    private static final int MAX_OPTIONS = 4096 - 1;

    private final Path overlayDir;
    private final Duration timeout;

    public OverlayMounter(Path overlayDir, Duration timeout) {
        this.overlayDir = overlayDir;
        this.timeout = timeout;
    }

    /**
     * @param lowerDirs lowerdir value relative to {@code overlay2/}, top layer first
     * @param upper     upper dir relative to {@code overlay2/}
     * @param work      work dir relative to {@code overlay2/}
     * @param target    absolute mount point
     */
    public void mount(String lowerDirs, Path upper, Path work, Path target) {
        String options = "lowerdir=" + lowerDirs + ",upperdir=" + upper + ",workdir=" + work;
        if (options.length() > MAX_OPTIONS) {
            throw BerthException.failedPrecondition("overlay options for " + target + " are " + options.length()
                    + " bytes, more than a page: too many layers");
        }
        try {
            Command.of("mount", "-t", "overlay", "overlay", "-o", options, target.toString())
                    .withDirectory(overlayDir).withTimeout(timeout).check();
        } catch (CommandFailedException e) {
            throw new BerthException(BerthException.Kind.INTERNAL, "cannot mount rootfs at " + target + ": "
                    + e.getMessage(), e);
        }
    }

    /** Unmounts if mounted; a busy mount is detached lazily so removal can go on. */
    public void unmount(Path target) {
        if (!MountTable.current().isMountPoint(target)) {
            return;
        }
        try {
            Command.of("umount", target.toString()).withTimeout(timeout).check();
        } catch (CommandFailedException e) {
            if (!MountTable.current().isMountPoint(target)) {
                return;
            }
            log.warn("event=rootfs_umount_busy target={} error=\"{}\" action=lazy_unmount", target, e.getMessage());
            try {
                Command.of("umount", "-l", target.toString()).withTimeout(timeout).check();
            } catch (CommandFailedException lazy) {
                throw new BerthException(BerthException.Kind.INTERNAL, "cannot unmount " + target + ": "
                        + lazy.getMessage(), lazy);
            }
        }
    }
}
