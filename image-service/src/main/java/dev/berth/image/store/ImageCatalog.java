package dev.berth.image.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.error.BerthException;
import dev.berth.common.fs.AtomicFiles;
import dev.berth.image.reference.ImageReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The images and their names, served from memory and persisted one JSON file per image. A repo tag names one
 * image at a time: storing an image under a tag takes the tag from whichever image had it (that image keeps its
 * other names). The same image reached under names from several registries is one record with all its names.
 */
public final class ImageCatalog {

    private static final Logger log = LoggerFactory.getLogger(ImageCatalog.class);
    private static final Pattern FULL_ID = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern ID_PREFIX = Pattern.compile("[0-9a-f]{1,63}");

    private final Path dir;
    private final ObjectMapper json;
    private final Map<String, StoredImage> images = new TreeMap<>();

    /** @param dir the {@code images/records} directory */
    public ImageCatalog(Path dir, ObjectMapper json) {
        this.dir = dir;
        this.json = json;
    }

    /** Loads every record; one whose content is gone ({@code intact} false) is dropped so it is pulled again. */
    public synchronized void load(Predicate<StoredImage> intact) {
        try {
            Files.createDirectories(dir);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    if (!name.endsWith(".json") || name.startsWith(".")) {
                        Files.deleteIfExists(file); // temp file of an interrupted write
                        continue;
                    }
                    StoredImage image;
                    try {
                        image = json.readValue(file.toFile(), StoredImage.class);
                    } catch (IOException e) {
                        log.warn("event=image_record_unreadable path={} error=\"{}\"", file, e.getMessage());
                        Files.deleteIfExists(file);
                        continue;
                    }
                    if (!intact.test(image)) {
                        log.warn("event=image_record_dropped id={} reason=content_missing", image.id());
                        Files.deleteIfExists(file);
                        continue;
                    }
                    images.put(image.id(), image);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load image records from " + dir, e);
        }
    }

    public synchronized List<StoredImage> all() {
        return List.copyOf(images.values());
    }

    public synchronized Optional<StoredImage> get(String id) {
        return Optional.ofNullable(images.get(id));
    }

    /**
     * Stores an image under its names: merges with an existing record of the same ID and takes its tags from other
     * images. Records losing a tag are written first, so a crash can lose a tag but never show it twice.
     */
    public synchronized StoredImage add(StoredImage incoming) {
        for (StoredImage other : List.copyOf(images.values())) {
            if (other.id().equals(incoming.id())) {
                continue;
            }
            List<String> kept = other.repoTags().stream().filter(t -> !incoming.repoTags().contains(t)).toList();
            if (kept.size() != other.repoTags().size()) {
                StoredImage updated = other.withNames(kept, other.repoDigests());
                persist(updated);
                images.put(updated.id(), updated);
                log.info("event=image_tag_moved from={} to={}", other.id(), incoming.id());
            }
        }
        StoredImage existing = images.get(incoming.id());
        StoredImage merged = incoming;
        if (existing != null) {
            Set<String> tags = new LinkedHashSet<>(existing.repoTags());
            tags.addAll(incoming.repoTags());
            Set<String> digests = new LinkedHashSet<>(existing.repoDigests());
            digests.addAll(incoming.repoDigests());
            Set<String> manifests = new LinkedHashSet<>(existing.manifestDigests());
            manifests.addAll(incoming.manifestDigests());
            merged = existing.withNames(List.copyOf(tags), List.copyOf(digests))
                    .withManifestDigests(List.copyOf(manifests));
        }
        persist(merged);
        images.put(merged.id(), merged);
        return merged;
    }

    public synchronized Optional<StoredImage> remove(String id) {
        StoredImage removed = images.remove(id);
        if (removed != null) {
            try {
                Files.deleteIfExists(file(id));
            } catch (IOException e) {
                images.put(id, removed);
                throw new BerthException(BerthException.Kind.INTERNAL, "cannot remove image record " + id, e);
            }
        }
        return Optional.ofNullable(removed);
    }

    /**
     * Finds an image by ID ({@code sha256:<hex>} or bare hex), by a unique ID prefix (with or without
     * {@code sha256:}), or by any of its tags or repo digests (normalized: {@code busybox} finds
     * {@code docker.io/library/busybox:latest}). An ambiguous prefix is an INVALID_ARGUMENT.
     */
    public synchronized Optional<StoredImage> resolve(String text) {
        String s = text == null ? "" : text.strip();
        if (s.isEmpty()) {
            return Optional.empty();
        }
        String hex = s.startsWith("sha256:") ? s.substring("sha256:".length()) : s;
        if (FULL_ID.matcher(hex).matches()) {
            return Optional.ofNullable(images.get("sha256:" + hex));
        }
        Optional<StoredImage> byName = byReference(s);
        if (byName.isPresent()) {
            return byName;
        }
        if (!ID_PREFIX.matcher(hex).matches()) {
            return Optional.empty();
        }
        List<StoredImage> matches = new ArrayList<>();
        for (StoredImage image : images.values()) {
            if (image.id().startsWith("sha256:" + hex)) {
                matches.add(image);
            }
        }
        if (matches.size() > 1) {
            throw BerthException.invalidArgument("image ID prefix \"" + s + "\" is ambiguous: it matches "
                    + matches.size() + " images");
        }
        return matches.stream().findFirst();
    }

    private Optional<StoredImage> byReference(String text) {
        ImageReference ref;
        try {
            ref = ImageReference.parse(text);
        } catch (BerthException e) {
            return Optional.empty();
        }
        if (ref.digest().isPresent()) {
            String wanted = ref.repoDigest(ref.digest().get());
            return images.values().stream().filter(i -> i.repoDigests().contains(wanted)).findFirst();
        }
        String tag = ref.repoTag().orElseThrow();
        return images.values().stream().filter(i -> i.repoTags().contains(tag)).findFirst();
    }

    private void persist(StoredImage image) {
        try {
            AtomicFiles.write(file(image.id()), json.writeValueAsBytes(image));
        } catch (IOException | UncheckedIOException e) {
            throw new BerthException(BerthException.Kind.INTERNAL, "cannot write image record " + image.id(), e);
        }
    }

    private Path file(String id) {
        return dir.resolve(id.substring(id.indexOf(':') + 1) + ".json");
    }
}
