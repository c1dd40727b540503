package dev.berth.image.layer;

import dev.berth.common.error.BerthException;
import dev.berth.common.fs.Trees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Unpacks a layer tar into a directory, keeping modes (setuid too), owners, nanosecond mtimes, xattrs, hard links,
 * symlinks, device nodes and fifos (created as Docker and containerd do when run as root: the container's device
 * cgroup, not the node in the image, decides access), writing sparse files and zero blocks as holes
 * ({@link SparseFileWriter}), and turning OCI whiteouts into overlay whiteouts: {@code .wh.NAME} becomes a 0/0
 * character device {@code NAME}, {@code .wh..wh..opq} sets {@code trusted.overlay.opaque=y} on its directory.
 *
 * <p>Nothing is written outside the directory: absolute names are read from the layer's root, {@code ..} is refused,
 * every parent of an entry must be a real directory inside the layer (never a symlink, so no write goes through
 * one), and hard links must point at an earlier non-directory entry of the same layer. A refused entry fails the whole layer with
 * FAILED_PRECONDITION naming the layer; the caller removes what was written.
 *
 * <p>Read errors (the network, decompression) surface as {@link IOException}; write errors as
 * {@link BerthException} (INTERNAL, RESOURCE_EXHAUSTED when the disk is full).
 */
public final class TarUnpacker {

    private static final Logger log = LoggerFactory.getLogger(TarUnpacker.class);
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    private static final String META_PREFIX = ".wh..wh.";
    public static final String OPAQUE_XATTR = "trusted.overlay.opaque";

    private final NativeFs fs;

    public TarUnpacker(NativeFs fs) {
        this.fs = fs;
    }

    /**
     * @param tar   the uncompressed tar stream; read up to the end-of-archive marker
     * @param root  an existing empty directory (the layer's {@code diff})
     * @param layer names the layer in errors (its digest)
     */
    public UnpackResult unpack(InputStream tar, Path root, String layer) throws IOException {
        return new Run(new TarReader(tar), root, layer).run();
    }

    /** One unpack: the state that lives as long as one layer's tar stream. */
    private final class Run {
        private final TarReader tar;
        private final Path root;
        private final String layer;
        /** Relative directories known to be real directories created or checked in this run. */
        private final Set<Path> realDirs = new HashSet<>();
        private final List<TarEntry> dirTimes = new ArrayList<>();
        private final List<Path> dirTimePaths = new ArrayList<>();
        private final SparseFileWriter writer = new SparseFileWriter(128 * 1024);
        private long entries;
        private long fileBytes;
        private long whiteouts;
        private int xattrFailures;

        Run(TarReader tar, Path root, String layer) {
            this.tar = tar;
            this.root = root;
            this.layer = layer;
        }

        UnpackResult run() throws IOException {
            TarEntry entry;
            while ((entry = tar.next()) != null) {
                apply(entry);
                entries++;
            }
            local(() -> {
                for (int i = dirTimePaths.size() - 1; i >= 0; i--) {
                    TarEntry e = dirTimes.get(i);
                    fs.setTimes(dirTimePaths.get(i), e.mtimeSeconds(), e.mtimeNanos());
                }
            });
            if (xattrFailures > 0) {
                log.warn("event=layer_xattrs_skipped layer={} count={}", layer, xattrFailures);
            }
            return new UnpackResult(entries, fileBytes, whiteouts);
        }

        private void apply(TarEntry entry) throws IOException {
            List<String> parts = EntryNames.split(entry.name())
                    .orElseThrow(() -> refuse(entry, "its name leaves the layer directory"));
            if (parts.isEmpty()) {
                if (entry.type() != TarEntry.DIRECTORY) {
                    throw refuse(entry, "it would replace the layer root");
                }
                local(() -> directoryMetadata(root, entry));
                return;
            }
            Path parentRel = relative(parts.subList(0, parts.size() - 1));
            String base = parts.get(parts.size() - 1);
            Path parent = ensureDirectories(parentRel, entry, true);
            if (base.startsWith(WHITEOUT)) {
                whiteout(entry, parent, base);
                return;
            }
            Path rel = parentRel == null ? Path.of(base) : parentRel.resolve(base);
            Path target = parent.resolve(base);
            Optional<NativeFs.Stat> existing = local(() -> fs.lstatIfExists(target));
            boolean replacesWhiteout = false;
            if (existing.isPresent()) {
                if (entry.type() == TarEntry.DIRECTORY && existing.get().isDirectory()) {
                    local(() -> directoryMetadata(target, entry));
                    return;
                }
                replacesWhiteout = isWhiteout(existing.get());
                local(() -> Trees.deleteRecursively(target));
                realDirs.removeIf(p -> p.startsWith(rel));
            }
            switch (entry.type()) {
                case TarEntry.DIRECTORY -> {
                    boolean opaque = replacesWhiteout;
                    local(() -> {
                        Files.createDirectory(target);
                        directoryMetadata(target, entry);
                        if (opaque) {
                            // Deleted from below and created anew in this layer: only the new content shows.
                            fs.lsetxattr(target, OPAQUE_XATTR, "y".getBytes(StandardCharsets.US_ASCII));
                        }
                    });
                    realDirs.add(rel);
                }
                case TarEntry.FILE -> {
                    writeFile(target, entry);
                    local(() -> metadata(target, entry, false));
                }
                case TarEntry.SYMLINK -> {
                    if (entry.linkName().isEmpty() || entry.linkName().indexOf('\0') >= 0) {
                        throw refuse(entry, "its symlink target is empty");
                    }
                    local(() -> {
                        Files.createSymbolicLink(target, Path.of(entry.linkName()));
                        metadata(target, entry, true);
                    });
                }
                case TarEntry.HARD_LINK -> {
                    Path source = hardLinkSource(entry);
                    local(() -> Files.createLink(target, source));
                }
                case TarEntry.CHAR_DEVICE, TarEntry.BLOCK_DEVICE, TarEntry.FIFO -> local(() -> {
                    int type = entry.type() == TarEntry.CHAR_DEVICE ? NativeFs.S_IFCHR
                            : entry.type() == TarEntry.BLOCK_DEVICE ? NativeFs.S_IFBLK : NativeFs.S_IFIFO;
                    fs.mknod(target, type, entry.mode(), entry.devMajor(), entry.devMinor());
                    metadata(target, entry, false);
                });
                default -> log.debug("event=layer_entry_skipped layer={} name=\"{}\" type={}", layer, entry.name(),
                        entry.type());
            }
        }

        private void whiteout(TarEntry entry, Path parent, String base) throws IOException {
            if (base.equals(OPAQUE)) {
                local(() -> fs.lsetxattr(parent, OPAQUE_XATTR, "y".getBytes(StandardCharsets.US_ASCII)));
                whiteouts++;
                return;
            }
            if (base.startsWith(META_PREFIX)) {
                return; // AUFS bookkeeping (.wh..wh.plnk and the like): nothing to apply
            }
            String hidden = base.substring(WHITEOUT.length());
            if (hidden.isEmpty()) {
                throw refuse(entry, "it is a whiteout without a name");
            }
            Path target = parent.resolve(hidden);
            // The OCI spec: a whiteout only hides lower layers, so a same-named entry of this layer stays.
            if (local(() -> fs.lstatIfExists(target)).isPresent()) {
                return;
            }
            local(() -> {
                fs.mknod(target, NativeFs.S_IFCHR, 0, 0, 0);
                fs.lchown(target, entry.uid(), entry.gid());
            });
            whiteouts++;
        }

        /**
         * Makes sure every component of {@code rel} is a real directory inside the layer, creating missing ones
         * when {@code create}; a symlink or file on the way refuses the entry.
         */
        private Path ensureDirectories(Path rel, TarEntry entry, boolean create) throws IOException {
            if (rel == null) {
                return root;
            }
            Path sofar = null;
            for (Path component : rel) {
                sofar = sofar == null ? component : sofar.resolve(component);
                if (realDirs.contains(sofar)) {
                    continue;
                }
                Path absolute = root.resolve(sofar);
                Optional<NativeFs.Stat> stat = local(() -> fs.lstatIfExists(absolute));
                if (create && stat.isPresent() && isWhiteout(stat.get())) {
                    // A directory this layer deleted and fills again: an opaque directory, as overlay spells it.
                    local(() -> {
                        Files.delete(absolute);
                        Files.createDirectory(absolute);
                        fs.chmod(absolute, 0755);
                        fs.lsetxattr(absolute, OPAQUE_XATTR, "y".getBytes(StandardCharsets.US_ASCII));
                    });
                    realDirs.add(sofar);
                    continue;
                }
                if (stat.isEmpty()) {
                    if (!create) {
                        throw refuse(entry, "its link target's directory " + sofar + " does not exist in the layer");
                    }
                    local(() -> {
                        Files.createDirectory(absolute);
                        fs.chmod(absolute, 0755);
                    });
                } else if (stat.get().isSymlink()) {
                    throw refuse(entry, "it would be written through the symlink " + sofar);
                } else if (!stat.get().isDirectory()) {
                    throw refuse(entry, sofar + " on its path is not a directory");
                }
                realDirs.add(sofar);
            }
            return root.resolve(rel);
        }

        private Path hardLinkSource(TarEntry entry) throws IOException {
            List<String> parts = EntryNames.split(entry.linkName())
                    .orElseThrow(() -> refuse(entry, "its hard link target \"" + entry.linkName()
                            + "\" leaves the layer directory"));
            if (parts.isEmpty()) {
                throw refuse(entry, "it hard-links the layer root");
            }
            Path parent = ensureDirectories(relative(parts.subList(0, parts.size() - 1)), entry, false);
            Path source = parent.resolve(parts.get(parts.size() - 1));
            Optional<NativeFs.Stat> stat = local(() -> fs.lstatIfExists(source));
            if (stat.isEmpty()) {
                throw refuse(entry, "its hard link target \"" + entry.linkName() + "\" is not in the layer");
            }
            if (stat.get().isDirectory()) {
                throw refuse(entry, "it hard-links a directory");
            }
            return source;
        }

        private void writeFile(Path target, TarEntry entry) throws IOException {
            try {
                fileBytes += writer.write(target, entry.layout(), tar::read);
            } catch (SparseFileWriter.SourceException e) {
                throw (IOException) e.getCause(); // the layer stream failed, not the disk: a retry may help
            } catch (IOException e) {
                throw writeFailure(e);
            }
        }

        private void directoryMetadata(Path dir, TarEntry entry) throws IOException {
            metadata(dir, entry, false);
            dirTimes.add(entry);
            dirTimePaths.add(dir);
        }

        /** Owner first: chown clears setuid bits and file capabilities, so mode and xattrs come after it. */
        private void metadata(Path path, TarEntry entry, boolean symlink) throws IOException {
            fs.lchown(path, entry.uid(), entry.gid());
            if (!symlink) {
                fs.chmod(path, entry.mode());
            }
            for (Map.Entry<String, byte[]> x : entry.xattrs().entrySet()) {
                if (x.getKey().startsWith("trusted.overlay.")) {
                    xattrFailures++; // a layer must not steer overlayfs (redirects, metacopy) on its own
                    continue;
                }
                try {
                    fs.lsetxattr(path, x.getKey(), x.getValue());
                } catch (IOException e) {
                    xattrFailures++;
                    log.debug("event=layer_xattr_failed layer={} path={} name={} error=\"{}\"", layer, path,
                            x.getKey(), e.getMessage());
                }
            }
            if (entry.type() != TarEntry.DIRECTORY) {
                fs.setTimes(path, entry.mtimeSeconds(), entry.mtimeNanos());
            }
        }

        private BerthException refuse(TarEntry entry, String why) {
            return BerthException.failedPrecondition("layer " + layer + " refused: entry \"" + entry.name() + "\" "
                    + why);
        }

        private <T> T local(LocalCall<T> call) {
            try {
                return call.run();
            } catch (IOException | UncheckedIOException e) {
                throw writeFailure(e);
            }
        }

        private BerthException writeFailure(Exception e) {
            String message = e.getMessage();
            BerthException.Kind kind = message != null && message.contains("No space left")
                    ? BerthException.Kind.RESOURCE_EXHAUSTED : BerthException.Kind.INTERNAL;
            return new BerthException(kind, "cannot unpack layer " + layer + ": " + message, e);
        }

        private void local(LocalAction action) {
            local(() -> {
                action.run();
                return null;
            });
        }
    }

    /** An overlay whiteout: a 0/0 character device. */
    private static boolean isWhiteout(NativeFs.Stat stat) {
        return stat.type() == NativeFs.S_IFCHR && stat.rdevMajor() == 0 && stat.rdevMinor() == 0;
    }

    private static Path relative(List<String> parts) {
        if (parts.isEmpty()) {
            return null;
        }
        return Path.of(parts.get(0), parts.subList(1, parts.size()).toArray(String[]::new));
    }

    @FunctionalInterface
    private interface LocalCall<T> {
        T run() throws IOException;
    }

    @FunctionalInterface
    private interface LocalAction {
        void run() throws IOException;
    }
}
