package dev.berth.testing.image;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects entries for one layer, in order (parents are not added for you), and builds the blob. Ordinary entries
 * must have relative names without {@code ..}; use {@link #raw(LayerEntry)} for hostile archives.
 */
public final class LayerBuilder {

    private final List<LayerEntry> entries = new ArrayList<>();

    private LayerBuilder() {
    }

    public static LayerBuilder create() {
        return new LayerBuilder();
    }

    public LayerBuilder add(LayerEntry entry) {
        if (!entry.raw()) {
            checkName(entry.name());
            if (entry.kind() == LayerEntry.Kind.HARDLINK) {
                checkName(entry.linkTarget());
            }
        }
        entries.add(entry);
        return this;
    }

    /** Adds an entry verbatim: {@code ../escape}, {@code /etc/x}, hard links to {@code ../../outside}. */
    public LayerBuilder raw(LayerEntry entry) {
        entries.add(entry.asRaw());
        return this;
    }

    public LayerBuilder file(String name, String content, int mode) {
        return add(LayerEntry.file(name, content, mode));
    }

    public LayerBuilder file(String name, byte[] content, int mode) {
        return add(LayerEntry.file(name, content, mode));
    }

    public LayerBuilder file(String name, String content, int mode, long uid, long gid) {
        return add(LayerEntry.file(name, content, mode).withOwner(uid, gid));
    }

    public LayerBuilder directory(String name, int mode) {
        return add(LayerEntry.directory(name, mode));
    }

    public LayerBuilder directory(String name, int mode, long uid, long gid) {
        return add(LayerEntry.directory(name, mode).withOwner(uid, gid));
    }

    public LayerBuilder symlink(String name, String target) {
        return add(LayerEntry.symlink(name, target));
    }

    public LayerBuilder hardlink(String name, String target) {
        return add(LayerEntry.hardlink(name, target));
    }

    public LayerBuilder whiteout(String path) {
        return add(LayerEntry.whiteout(path));
    }

    public LayerBuilder opaque(String directory) {
        return add(LayerEntry.opaque(directory));
    }

    public LayerBuilder addAll(List<LayerEntry> more) {
        more.forEach(this::add);
        return this;
    }

    public List<LayerEntry> entries() {
        return List.copyOf(entries);
    }

    public Layer build(Compression compression) {
        List<LayerEntry> snapshot = List.copyOf(entries);
        return Layer.write(compression, tar -> {
            for (LayerEntry entry : snapshot) {
                tar.write(entry);
            }
        });
    }

    /** The uncompressed tar; its sha256 is the layer's diffID. */
    public byte[] tar() {
        return build(Compression.NONE).blob();
    }

    private static void checkName(String name) {
        if (name.isEmpty() || name.startsWith("/")) {
            throw new IllegalArgumentException("layer entry names are relative: '" + name + "' (use raw())");
        }
        for (String part : name.split("/")) {
            if (part.equals("..")) {
                throw new IllegalArgumentException("'..' in layer entry name '" + name + "' (use raw())");
            }
        }
    }
}
