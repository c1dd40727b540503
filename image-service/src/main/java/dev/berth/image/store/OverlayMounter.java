package dev.berth.image.store;

import dev.berth.common.error.BerthException;
import dev.berth.common.exec.Command;
import dev.berth.common.exec.CommandFailedException;
import dev.berth.common.sys.MountCalls;
import jnr.ffi.Runtime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Mounts and unmounts overlay filesystems. When the options fit in the kernel's one-page limit with absolute paths
 * (the usual image of a few layers), {@code mount(2)} is called directly; otherwise {@code mount(8)} runs from the
 * {@code overlay2} directory so the options can name layers by short relative links: 60 layers then need ~1.8 KB of
 * options instead of the ~6 KB of absolute paths that would overflow the page. Unmounting is {@code umount2(2)}.
 * A direct call costs microseconds against a few milliseconds for spawning {@code mount}/{@code umount}.
 */
public final class OverlayMounter {

    private static final Logger log = LoggerFactory.getLogger(OverlayMounter.class);
    /** The kernel copies mount options into one page. */
    private static final int MAX_OPTIONS = 4096 - 1;

    private static final int MNT_DETACH = 2;
    private static final int EINVAL = 22;
    private static final int ENOENT = 2;
    private static final int EBUSY = 16;
    private static final long MS_RDONLY = 1;

    /** The two mount calls, bound lazily so that tests without root never load them. */
    private static final class Native {
        static final MountCalls LIBC = MountCalls.load();
        static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
    }

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
        String absolute = absoluteOptions(lowerDirs, upper, work);
        if (absolute != null) {
            if (Native.LIBC.mount("overlay", target.toString(), "overlay", 0, absolute) == 0) {
                return;
            }
            int errno = Native.RUNTIME.getLastError();
            throw new BerthException(BerthException.Kind.INTERNAL, "cannot mount rootfs at " + target + ": mount "
                    + "overlay failed with errno " + errno + " (options " + absolute + ")");
        }
        try {
            Command.of("mount", "-t", "overlay", "overlay", "-o", options, target.toString())
                    .withDirectory(overlayDir).withTimeout(timeout).check();
        } catch (CommandFailedException e) {
            throw new BerthException(BerthException.Kind.INTERNAL, "cannot mount rootfs at " + target + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * A read-only overlay of lower dirs only (no upper, no work dir): the image's files as they are, shared with
     * every other user of the layers.
     *
     * @param lowerDirs lowerdir value relative to {@code overlay2/}, top layer first; at least two dirs
     */
    public void mountReadOnly(String lowerDirs, Path target) {
        String options = "lowerdir=" + lowerDirs;
        if (options.length() > MAX_OPTIONS) {
            throw BerthException.failedPrecondition("overlay options for " + target + " are " + options.length()
                    + " bytes, more than a page: too many layers");
        }
        String absolute = absoluteLowerDirs(lowerDirs);
        if (absolute != null && ("lowerdir=" + absolute).length() <= MAX_OPTIONS) {
            if (Native.LIBC.mount("overlay", target.toString(), "overlay", MS_RDONLY, "lowerdir=" + absolute) == 0) {
                return;
            }
            int errno = Native.RUNTIME.getLastError();
            throw new BerthException(BerthException.Kind.INTERNAL, "cannot mount image at " + target + ": mount "
                    + "overlay failed with errno " + errno + " (lowerdir=" + absolute + ")");
        }
        try {
            Command.of("mount", "-t", "overlay", "overlay", "-o", "ro," + options, target.toString())
                    .withDirectory(overlayDir).withTimeout(timeout).check();
        } catch (CommandFailedException e) {
            throw new BerthException(BerthException.Kind.INTERNAL, "cannot mount image at " + target + ": "
                    + e.getMessage(), e);
        }
    }

    /** Unmounts if mounted; a busy mount is detached lazily so removal can go on. */
    public void unmount(Path target) {
        if (Native.LIBC.umount2(target.toString(), 0) == 0) {
            return;
        }
        int errno = Native.RUNTIME.getLastError();
        if (errno == EINVAL || errno == ENOENT) {
            return; // not a mount point, or gone
        }
        if (errno == EBUSY) {
            log.warn("event=rootfs_umount_busy target={} action=lazy_unmount", target);
            if (Native.LIBC.umount2(target.toString(), MNT_DETACH) == 0) {
                return;
            }
            errno = Native.RUNTIME.getLastError();
            if (errno == EINVAL || errno == ENOENT) {
                return;
            }
        }
        throw new BerthException(BerthException.Kind.INTERNAL, "cannot unmount " + target + ": errno " + errno);
    }

    /**
     * The options with absolute paths, or null when they would not fit in a page or a path holds a character that
     * the overlay option parser treats specially.
     */
    private String absoluteOptions(String lowerDirs, Path upper, Path work) {
        String lower = absoluteLowerDirs(lowerDirs);
        if (lower == null) {
            return null;
        }
        String options = "lowerdir=" + lower + ",upperdir=" + overlayDir.toAbsolutePath().resolve(upper)
                + ",workdir=" + overlayDir.toAbsolutePath().resolve(work);
        return options.length() > MAX_OPTIONS ? null : options;
    }

    /** The lower dirs with absolute paths, or null when the base path holds a character overlay treats specially. */
    private String absoluteLowerDirs(String lowerDirs) {
        String base = overlayDir.toAbsolutePath().toString();
        if (base.contains(",") || base.contains(":") || base.contains("\\") || base.contains("=")) {
            return null;
        }
        StringBuilder lower = new StringBuilder();
        for (String dir : lowerDirs.split(":")) {
            if (lower.length() > 0) {
                lower.append(':');
            }
            lower.append(dir.startsWith("/") ? dir : base + "/" + dir);
        }
        return lower.toString();
    }
}
