package dev.berth.image.layer;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.error.BerthException;
import dev.berth.common.fs.AtomicFiles;
import dev.berth.common.fs.Trees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Unpacked layers in Docker's overlay2 layout:
 * <pre>
 * overlay2/&lt;id&gt;/diff        the layer's files (id = chain ID hex)
 * overlay2/&lt;id&gt;/link        short name of its link, e.g. 5QJ2…
 * overlay2/&lt;id&gt;/lower       "l/&lt;parent link&gt;:l/&lt;grandparent link&gt;:…" (absent for a base layer)
 * overlay2/&lt;id&gt;/layer.json  berth's record: diff ID, parent, sizes
 * overlay2/l/&lt;link&gt;          symlink to ../&lt;id&gt;/diff
 * overlay2/incomplete/        layers being unpacked or removed; emptied at startup
 * </pre>
 * Short links keep an overlay mount of many layers within the one-page limit of mount options when the mount runs
 * from {@code overlay2/} with relative lowerdirs.
 */
public final class LayerStore {

    private static final Logger log = LoggerFactory.getLogger(LayerStore.class);
    public static final String LINK_DIR = "l";
    public static final String INCOMPLETE_DIR = "incomplete";
    private static final Pattern LAYER_ID = Pattern.compile("[0-9a-f]{64}");
    private static final int LINK_LENGTH = 26;

    private final Path dir;
    private final NativeFs fs;
    private final ObjectMapper json;
    private final boolean syncBeforeCommit;
    private final Map<String, LayerInfo> layers = new ConcurrentHashMap<>();

    /**
     * @param dir              the {@code overlay2} directory
     * @param syncBeforeCommit flush the file system before a layer is published, so a crash cannot leave a
     *                         layer marked complete whose files never reached the disk
     */
    public LayerStore(Path dir, NativeFs fs, ObjectMapper json, boolean syncBeforeCommit) {
        this.dir = dir;
        this.fs = fs;
        this.json = json;
        this.syncBeforeCommit = syncBeforeCommit;
    }

    public Path dir() {
        return dir;
    }

    /** The short link name of a layer: derived from its ID, so children can name it before it is unpacked. */
    public static String linkName(String id) {
        return id.substring(0, LINK_LENGTH).toUpperCase(java.util.Locale.ROOT);
    }

    /** Sweeps unfinished work, loads complete layers and repairs their {@code l/} links. */
    public void recover() {
        try {
            Files.createDirectories(dir.resolve(LINK_DIR));
            Path incomplete = dir.resolve(INCOMPLETE_DIR);
            if (Files.exists(incomplete)) {
                try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(incomplete)) {
                    for (Path leftover : leftovers) {
                        log.info("event=layer_leftover_removed path={}", leftover);
                        Trees.deleteRecursively(leftover);
                    }
                }
            }
            Files.createDirectories(incomplete);
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (LAYER_ID.matcher(name).matches()) {
                        load(entry, name);
                    }
                }
            }
            try (DirectoryStream<Path> links = Files.newDirectoryStream(dir.resolve(LINK_DIR))) {
                for (Path link : links) {
                    Optional<String> target = linkTarget(link);
                    if (target.isEmpty() || !layers.containsKey(target.get())
                            || !linkName(target.get()).equals(link.getFileName().toString())) {
                        Files.deleteIfExists(link);
                    }
                }
            }
            for (LayerInfo layer : layers.values()) {
                ensureLink(layer.id());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot recover layers in " + dir, e);
        }
    }

    private void load(Path layerDir, String id) throws IOException {
        Path meta = layerDir.resolve("layer.json");
        try {
            LayerInfo info = json.readValue(meta.toFile(), LayerInfo.class);
            if (!info.id().equals(id) || !Files.isDirectory(layerDir.resolve("diff"), LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("layer record does not match its directory");
            }
            layers.put(id, info);
        } catch (IOException e) {
            // Only a committed layer gets this name, so this is damage from outside berth; start it over.
            log.warn("event=layer_damaged_removed id={} error=\"{}\"", id, e.getMessage());
            Trees.deleteRecursively(layerDir);
        }
    }

    public Optional<LayerInfo> get(String id) {
        return Optional.ofNullable(layers.get(id));
    }

    public boolean contains(String id) {
        return layers.containsKey(id);
    }

    public Collection<LayerInfo> all() {
        return List.copyOf(layers.values());
    }

    /** Creates a fresh temporary directory to unpack a layer into. */
    public IncompleteLayer begin(String id) {
        Path tmp = dir.resolve(INCOMPLETE_DIR).resolve(id + "-" + UUID.randomUUID());
        try {
            Files.createDirectories(tmp.resolve("diff"));
            fs.chmod(tmp.resolve("diff"), 0755);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.INTERNAL, "cannot create layer directory " + tmp, e);
        }
        return new IncompleteLayer(id, tmp);
    }

    /**
     * Publishes an unpacked, verified layer: writes {@code link}, {@code lower} and {@code layer.json}, then renames
     * the directory into place. If another pull published the same layer meanwhile, this copy is dropped.
     *
     * @param ancestors IDs of the layers below, nearest first
     */
    public LayerInfo commit(IncompleteLayer layer, LayerInfo info, List<String> ancestors) {
        try {
            Path tmp = layer.dir();
            Files.writeString(tmp.resolve("link"), info.link(), StandardCharsets.US_ASCII);
            if (!ancestors.isEmpty()) {
                List<String> lower = new ArrayList<>();
                for (String ancestor : ancestors) {
                    lower.add(LINK_DIR + "/" + linkName(ancestor));
                }
                Files.writeString(tmp.resolve("lower"), String.join(":", lower), StandardCharsets.US_ASCII);
            }
            AtomicFiles.write(tmp.resolve("layer.json"), json.writeValueAsBytes(info));
            if (syncBeforeCommit) {
                fs.syncfs(tmp);
            }
            synchronized (this) {
                Path target = dir.resolve(info.id());
                if (layers.containsKey(info.id()) || Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    layer.discard();
                    return layers.getOrDefault(info.id(), info);
                }
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException e) {
                    layer.discard();
                    return layers.getOrDefault(info.id(), info);
                }
                syncDirectory(dir);
                ensureLink(info.id());
                layers.put(info.id(), info);
            }
            return info;
        } catch (IOException e) {
            layer.discard();
            throw new BerthException(BerthException.Kind.INTERNAL, "cannot store layer " + info.chainId(), e);
        }
    }

    /** Removes a layer: hidden at once by a rename, its files deleted afterwards. */
    public void remove(String id) {
        stageRemoval(id).ifPresent(Trees::deleteRecursively);
    }

    /**
     * Hides a layer at once (its link goes, its directory moves under {@code incomplete/}) and returns the moved
     * directory for the caller to delete when it holds no lock; startup removes it if that never happens.
     */
    public Optional<Path> stageRemoval(String id) {
        synchronized (this) {
            LayerInfo info = layers.remove(id);
            if (info == null) {
                return Optional.empty();
            }
            Path staged = dir.resolve(INCOMPLETE_DIR).resolve(id + "-removed-" + UUID.randomUUID());
            try {
                Files.deleteIfExists(dir.resolve(LINK_DIR).resolve(linkName(id)));
                Files.move(dir.resolve(id), staged, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new BerthException(BerthException.Kind.INTERNAL, "cannot remove layer " + id, e);
            }
            log.info("event=layer_removed id={} disk_bytes={}", id, info.diskBytes());
            return Optional.of(staged);
        }
    }

    /**
     * The overlay {@code lowerdir} option for a stack of layers, relative to {@code overlay2/}: the top layer's
     * link first, then its {@code lower} chain.
     *
     * @param idsBaseFirst layer IDs from the base up
     */
    public String lowerDirOption(List<String> idsBaseFirst) {
        List<String> lower = new ArrayList<>(idsBaseFirst.size());
        for (int i = idsBaseFirst.size() - 1; i >= 0; i--) {
            lower.add(LINK_DIR + "/" + linkName(idsBaseFirst.get(i)));
        }
        return String.join(":", lower);
    }

    private void ensureLink(String id) throws IOException {
        Path link = dir.resolve(LINK_DIR).resolve(linkName(id));
        Path target = Path.of("..", id, "diff");
        Optional<String> existing = linkTarget(link);
        if (existing.isPresent() && existing.get().equals(id)) {
            return;
        }
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, target);
    }

    private static Optional<String> linkTarget(Path link) {
        try {
            if (!Files.isSymbolicLink(link)) {
                return Optional.empty();
            }
            Path target = Files.readSymbolicLink(link);
            if (target.getNameCount() == 3 && target.getName(0).toString().equals("..")
                    && target.getName(2).toString().equals("diff")) {
                return Optional.of(target.getName(1).toString());
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
