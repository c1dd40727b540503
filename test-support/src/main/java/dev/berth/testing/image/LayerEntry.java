package dev.berth.testing.image;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One tar entry of a layer. Build with the static factories, adjust with the {@code with*} methods (each returns a
 * copy). Names are written as given, without a leading slash; {@link #raw()} entries skip {@link LayerBuilder}'s
 * name checks so security tests can write hostile archives.
 */
public record LayerEntry(Kind kind, String name, byte[] content, String linkTarget, int mode, long uid, long gid,
                         Instant mtime, int devMajor, int devMinor, Map<String, String> xattrs, boolean raw) {

    /** Fixed so that the same entries always give the same layer digest. */
    public static final Instant DEFAULT_MTIME = Instant.parse("2024-01-01T00:00:00Z");

    public static final String WHITEOUT_PREFIX = ".wh.";
    public static final String OPAQUE_MARKER = ".wh..wh..opq";

    public enum Kind { FILE, DIRECTORY, SYMLINK, HARDLINK, CHAR_DEVICE, BLOCK_DEVICE, FIFO }

    public LayerEntry {
        Objects.requireNonNull(kind);
        Objects.requireNonNull(name);
        content = content == null ? new byte[0] : content;
        linkTarget = linkTarget == null ? "" : linkTarget;
        mtime = mtime == null ? DEFAULT_MTIME : mtime;
        // Sorted so that the PAX records, and so the digest, do not depend on insertion order.
        xattrs = xattrs == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(xattrs));
        if (kind != Kind.FILE && content.length > 0) {
            throw new IllegalArgumentException(kind + " " + name + " cannot have content");
        }
    }

    public static LayerEntry file(String name, byte[] content, int mode) {
        return new LayerEntry(Kind.FILE, name, content.clone(), "", mode, 0, 0, null, 0, 0, null, false);
    }

    public static LayerEntry file(String name, String content, int mode) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), mode);
    }

    public static LayerEntry directory(String name, int mode) {
        return new LayerEntry(Kind.DIRECTORY, name, null, "", mode, 0, 0, null, 0, 0, null, false);
    }

    public static LayerEntry symlink(String name, String target) {
        return new LayerEntry(Kind.SYMLINK, name, null, target, 0777, 0, 0, null, 0, 0, null, false);
    }

    /** A hard link to {@code target}, a path inside the layer (tar hard links name archive members). */
    public static LayerEntry hardlink(String name, String target) {
        return new LayerEntry(Kind.HARDLINK, name, null, target, 0644, 0, 0, null, 0, 0, null, false);
    }

    public static LayerEntry charDevice(String name, int major, int minor, int mode) {
        return new LayerEntry(Kind.CHAR_DEVICE, name, null, "", mode, 0, 0, null, major, minor, null, false);
    }

    public static LayerEntry blockDevice(String name, int major, int minor, int mode) {
        return new LayerEntry(Kind.BLOCK_DEVICE, name, null, "", mode, 0, 0, null, major, minor, null, false);
    }

    public static LayerEntry fifo(String name, int mode) {
        return new LayerEntry(Kind.FIFO, name, null, "", mode, 0, 0, null, 0, 0, null, false);
    }

    /** The OCI whiteout that deletes {@code path} from the layers below: an empty file {@code dir/.wh.base}. */
    public static LayerEntry whiteout(String path) {
        int slash = path.lastIndexOf('/');
        String dir = slash < 0 ? "" : path.substring(0, slash + 1);
        return file(dir + WHITEOUT_PREFIX + path.substring(slash + 1), new byte[0], 0644);
    }

    /** The OCI marker that hides everything the layers below hold in {@code directory}. */
    public static LayerEntry opaque(String directory) {
        String dir = directory.endsWith("/") ? directory : directory + "/";
        return file(dir + OPAQUE_MARKER, new byte[0], 0644);
    }

    @Override
    public byte[] content() {
        return content.clone();
    }

    /** Content size without copying it. */
    public long size() {
        return content.length;
    }

    byte[] contentUnsafe() {
        return content;
    }

    public LayerEntry withMode(int newMode) {
        return new LayerEntry(kind, name, content, linkTarget, newMode, uid, gid, mtime, devMajor, devMinor, xattrs,
                raw);
    }

    public LayerEntry withOwner(long newUid, long newGid) {
        return new LayerEntry(kind, name, content, linkTarget, mode, newUid, newGid, mtime, devMajor, devMinor,
                xattrs, raw);
    }

    public LayerEntry withMtime(Instant newMtime) {
        return new LayerEntry(kind, name, content, linkTarget, mode, uid, gid, newMtime, devMajor, devMinor, xattrs,
                raw);
    }

    /** Adds an extended attribute, written as a PAX {@code SCHILY.xattr.NAME} record. */
    public LayerEntry withXattr(String attribute, String value) {
        Map<String, String> more = new LinkedHashMap<>(xattrs);
        more.put(attribute, value);
        return new LayerEntry(kind, name, content, linkTarget, mode, uid, gid, mtime, devMajor, devMinor, more, raw);
    }

    /** Marks the entry as written verbatim: absolute names and {@code ..} are kept, no checks apply. */
    public LayerEntry asRaw() {
        return new LayerEntry(kind, name, content, linkTarget, mode, uid, gid, mtime, devMajor, devMinor, xattrs,
                true);
    }
}
