package dev.berth.image.layer;

import java.util.Map;

/**
 * One tar entry's header, after PAX and GNU long-name extensions are applied.
 *
 * @param name     entry name as written (not yet checked)
 * @param type     tar type flag: '0' file, '1' hard link, '2' symlink, '3' char dev, '4' block dev, '5' dir,
 *                 '6' fifo
 * @param mode     permission bits including setuid/setgid/sticky
 * @param linkName symlink target or hard link source, else empty
 * @param size     the file's length (of a sparse file: with its holes)
 * @param xattrs   extended attributes from {@code SCHILY.xattr.*} / {@code LIBARCHIVE.xattr.*}, raw bytes
 * @param layout   where a regular file's stored content goes (one segment unless the entry is sparse)
 */
public record TarEntry(String name, char type, int mode, long uid, long gid, long size, long mtimeSeconds,
                       int mtimeNanos, String linkName, int devMajor, int devMinor, Map<String, byte[]> xattrs,
                       SparseMap layout) {

    public static final char FILE = '0';
    public static final char HARD_LINK = '1';
    public static final char SYMLINK = '2';
    public static final char CHAR_DEVICE = '3';
    public static final char BLOCK_DEVICE = '4';
    public static final char DIRECTORY = '5';
    public static final char FIFO = '6';
}
