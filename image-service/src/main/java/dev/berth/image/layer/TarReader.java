package dev.berth.image.layer;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads ustar/GNU/PAX tar streams as layers use them. Written here rather than borrowed because layer
 * xattrs ({@code SCHILY.xattr.security.capability}) are binary and must reach the disk byte for byte, and
 * because the unpacker must see every header field unmodified. GNU sparse files (old GNU {@code 'S'} headers and
 * PAX {@code GNU.sparse.*} versions 0.0, 0.1 and 1.0) come with their {@link SparseMap}; multi-volume archives are
 * refused.
 */
public final class TarReader {

    private static final int BLOCK = 512;
    private static final int MAX_EXTENSION = 1 << 20;
    /** Bounds the memory a sparse map may take (16 bytes a segment); real sparse files need far fewer. */
    private static final int MAX_SPARSE_SEGMENTS = 1 << 18;
    private static final String SPARSE_MAP = "GNU.sparse.map";

    private final InputStream in;
    private final byte[] header = new byte[BLOCK];
    private final Map<String, byte[]> globalPax = new HashMap<>();
    private long remaining;
    private long padding;

    public TarReader(InputStream in) {
        this.in = in;
    }

    /** The next entry, or null at the end of the archive. Unread content of the previous entry is skipped. */
    public TarEntry next() throws IOException {
        skipRest();
        Map<String, byte[]> pax = new LinkedHashMap<>(globalPax);
        String longName = null;
        String longLink = null;
        while (true) {
            if (!readHeader()) {
                return null;
            }
            char type = (char) (header[156] & 0xff);
            long size = number(124, 12);
            switch (type) {
                case 'x' -> {
                    parsePax(readExtension(size), pax);
                    continue;
                }
                case 'g' -> {
                    Map<String, byte[]> global = new LinkedHashMap<>();
                    parsePax(readExtension(size), global);
                    globalPax.putAll(global);
                    pax.putAll(global);
                    continue;
                }
                case 'L' -> {
                    longName = cString(readExtension(size));
                    continue;
                }
                case 'K' -> {
                    longLink = cString(readExtension(size));
                    continue;
                }
                case 'M', 'V' -> throw new TarFormatException("multi-volume tar archives are not supported");
                default -> {
                    return entry(type, size, pax, longName, longLink);
                }
            }
        }
    }

    /** The content of the current entry; reading past its size gives end of stream. */
    public int read(byte[] buffer, int off, int len) throws IOException {
        if (remaining <= 0) {
            return -1;
        }
        int n = in.read(buffer, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new EOFException("tar entry truncated");
        }
        remaining -= n;
        return n;
    }

    private TarEntry entry(char type, long headerSize, Map<String, byte[]> pax, String longName, String longLink)
            throws IOException {
        boolean ustar = matches(257, "ustar\0");
        String name = longName != null ? longName : cString(header, 0, 100);
        if (ustar && longName == null) {
            String prefix = cString(header, 345, 155);
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
        }
        String link = longLink != null ? longLink : cString(header, 157, 100);
        long size = headerSize;
        long uid = number(108, 8);
        long gid = number(116, 8);
        long mtime = number(136, 12);
        Map<String, String> sparse = new HashMap<>();
        int nanos = 0;
        int major = (int) number(329, 8);
        int minor = (int) number(337, 8);
        Map<String, byte[]> xattrs = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : pax.entrySet()) {
            String key = e.getKey();
            String value = new String(e.getValue(), StandardCharsets.UTF_8);
            switch (key) {
                case "path" -> name = value;
                case "linkpath" -> link = value;
                case "size" -> size = parseLong(key, value);
                case "uid" -> uid = parseLong(key, value);
                case "gid" -> gid = parseLong(key, value);
                case "mtime" -> {
                    BigDecimal t = parseDecimal(key, value);
                    mtime = t.setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
                    nanos = t.subtract(BigDecimal.valueOf(mtime)).movePointRight(9).intValue();
                }
                case "SCHILY.devmajor" -> major = (int) parseLong(key, value);
                case "SCHILY.devminor" -> minor = (int) parseLong(key, value);
                default -> {
                    if (key.startsWith("SCHILY.xattr.")) {
                        xattrs.put(key.substring("SCHILY.xattr.".length()), e.getValue());
                    } else if (key.startsWith("LIBARCHIVE.xattr.")) {
                        xattrs.put(java.net.URLDecoder.decode(key.substring("LIBARCHIVE.xattr.".length()),
                                StandardCharsets.UTF_8), Base64.getDecoder().decode(value.strip()));
                    } else if (key.startsWith("GNU.sparse.")) {
                        sparse.put(key.substring("GNU.sparse.".length()), value.strip());
                    }
                }
            }
        }
        if (size < 0) {
            throw new TarFormatException("negative size in tar entry " + name);
        }
        char normalized = type == '\0' || type == '7' || type == 'S' ? TarEntry.FILE : type;
        int mode = (int) (number(100, 8) & 07777);
        // Only regular files carry content; a size on a link or directory header is still skipped correctly.
        remaining = size;
        padding = (BLOCK - size % BLOCK) % BLOCK;
        SparseMap layout;
        if (type == 'S') {
            layout = oldGnuSparseMap();
        } else if (!sparse.isEmpty() && isPaxSparse(sparse)) {
            if (normalized != TarEntry.FILE) {
                throw new TarFormatException("sparse map on tar entry " + name + ", which is not a regular file");
            }
            name = sparse.getOrDefault("name", name);
            layout = paxSparseMap(sparse);
        } else {
            layout = SparseMap.dense(size);
        }
        return new TarEntry(name, normalized, mode, uid, gid, layout.realSize(), mtime, nanos, link, major, minor,
                xattrs, layout);
    }

    /**
     * The old GNU format: four segments in the header, then extension blocks of 21 while the "is extended" flag is
     * set, all before the entry's data; the real size at offset 483.
     */
    private SparseMap oldGnuSparseMap() throws IOException {
        long realSize = number(483, 12);
        List<SparseMap.Segment> segments = new ArrayList<>();
        boolean extended = readSegments(header, 386, 4, segments) && header[482] != 0;
        byte[] block = new byte[BLOCK];
        while (extended) {
            if (in.readNBytes(block, 0, BLOCK) < BLOCK) {
                throw new EOFException("sparse header truncated");
            }
            extended = readSegments(block, 0, 21, segments) && block[504] != 0;
        }
        return SparseMap.checked(segments, realSize, remaining);
    }

    /** Reads up to {@code max} 24-byte segments; false when an empty one ends the list early. */
    private boolean readSegments(byte[] block, int offset, int max, List<SparseMap.Segment> into)
            throws TarFormatException {
        for (int i = 0; i < max; i++) {
            int at = offset + i * 24;
            if (block[at] == 0) {
                return false;
            }
            if (into.size() >= MAX_SPARSE_SEGMENTS) {
                throw new TarFormatException("sparse map of more than " + MAX_SPARSE_SEGMENTS + " segments");
            }
            into.add(new SparseMap.Segment(number(block, at, 12), number(block, at + 12, 12)));
        }
        return true;
    }

    /** PAX sparse files as Go's archive/tar tells the versions apart. */
    private static boolean isPaxSparse(Map<String, String> sparse) {
        String version = sparse.getOrDefault("major", "") + "." + sparse.getOrDefault("minor", "");
        return switch (version) {
            case "0.0", "0.1", "1.0" -> true;
            case "." -> sparse.containsKey("map");
            default -> false; // an unknown version: the entry is read as the plain file it claims to be
        };
    }

    private SparseMap paxSparseMap(Map<String, String> sparse) throws IOException {
        String sizeText = sparse.containsKey("size") ? sparse.get("size") : sparse.get("realsize");
        long realSize = sizeText == null ? remaining : parseLong("GNU.sparse.size", sizeText);
        List<SparseMap.Segment> segments;
        if ("1".equals(sparse.get("major"))) {
            segments = sparseMapInData();
        } else {
            segments = sparseMapRecord(sparse.getOrDefault("map", ""));
            if (sparse.containsKey("numblocks")
                    && parseLong("GNU.sparse.numblocks", sparse.get("numblocks")) != segments.size()) {
                throw new TarFormatException("GNU.sparse.numblocks does not match GNU.sparse.map");
            }
        }
        return SparseMap.checked(segments, realSize, remaining);
    }

    /** 0.0 and 0.1: {@code offset,length,offset,length…} in one record. */
    private static List<SparseMap.Segment> sparseMapRecord(String map) throws TarFormatException {
        List<SparseMap.Segment> segments = new ArrayList<>();
        if (map.isEmpty()) {
            return segments;
        }
        String[] numbers = map.split(",", -1);
        if (numbers.length % 2 != 0 || numbers.length / 2 > MAX_SPARSE_SEGMENTS) {
            throw new TarFormatException("malformed GNU.sparse.map");
        }
        for (int i = 0; i < numbers.length; i += 2) {
            segments.add(new SparseMap.Segment(parseLong(SPARSE_MAP, numbers[i]),
                    parseLong(SPARSE_MAP, numbers[i + 1])));
        }
        return segments;
    }

    /**
     * 1.0: the map opens the entry's data as decimal lines (count, then offset and length per segment), padded to
     * whole blocks; the data proper follows.
     */
    private List<SparseMap.Segment> sparseMapInData() throws IOException {
        StringBuilder text = new StringBuilder();
        byte[] block = new byte[BLOCK];
        int lines = 0;
        long needed = 1;
        List<String> tokens = new ArrayList<>();
        while (lines < needed) {
            if (remaining < BLOCK || text.length() + BLOCK > MAX_EXTENSION) {
                throw new TarFormatException("GNU sparse map truncated or too large");
            }
            if (in.readNBytes(block, 0, BLOCK) < BLOCK) {
                throw new EOFException("GNU sparse map truncated");
            }
            remaining -= BLOCK;
            for (byte b : block) {
                if (b == '\n') {
                    tokens.add(text.toString());
                    text.setLength(0);
                    lines++;
                    if (lines == 1) {
                        long count = parseLong("sparse map count", tokens.get(0));
                        if (count < 0 || count > MAX_SPARSE_SEGMENTS) {
                            throw new TarFormatException("sparse map of " + count + " segments");
                        }
                        needed = 1 + 2 * count;
                    }
                    if (lines == needed) {
                        break;
                    }
                } else {
                    text.append((char) (b & 0xff));
                }
            }
        }
        List<SparseMap.Segment> segments = new ArrayList<>();
        for (int i = 1; i < tokens.size(); i += 2) {
            segments.add(new SparseMap.Segment(parseLong(SPARSE_MAP, tokens.get(i)),
                    parseLong(SPARSE_MAP, tokens.get(i + 1))));
        }
        return segments;
    }

    /** Reads a header block; false at the end-of-archive marker or a clean end of stream. */
    private boolean readHeader() throws IOException {
        int n = in.readNBytes(header, 0, BLOCK);
        if (n == 0) {
            return false;
        }
        if (n < BLOCK) {
            throw new TarFormatException("truncated tar header");
        }
        if (allZero(header)) {
            return false;
        }
        long stored = number(148, 8);
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = (i >= 148 && i < 156) ? ' ' : header[i];
            unsigned += b & 0xff;
            signed += (i >= 148 && i < 156) ? ' ' : header[i];
        }
        if (stored != unsigned && stored != signed) {
            throw new TarFormatException("tar header checksum mismatch (not a tar archive or corrupt)");
        }
        return true;
    }

    private byte[] readExtension(long size) throws IOException {
        if (size < 0 || size > MAX_EXTENSION) {
            throw new TarFormatException("tar extension header of " + size + " bytes");
        }
        byte[] data = in.readNBytes((int) size);
        if (data.length < size) {
            throw new EOFException("tar extension header truncated");
        }
        skipFully((BLOCK - size % BLOCK) % BLOCK);
        return data;
    }

    private static void parsePax(byte[] data, Map<String, byte[]> into) throws TarFormatException {
        int i = 0;
        while (i < data.length) {
            int space = i;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            int length;
            try {
                length = Integer.parseInt(new String(data, i, space - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new TarFormatException("malformed PAX record length");
            }
            int end = i + length;
            if (length <= 0 || end > data.length || data[end - 1] != '\n') {
                throw new TarFormatException("malformed PAX record");
            }
            int eq = space + 1;
            while (eq < end && data[eq] != '=') {
                eq++;
            }
            if (eq >= end) {
                throw new TarFormatException("malformed PAX record (no '=')");
            }
            String key = new String(data, space + 1, eq - space - 1, StandardCharsets.UTF_8);
            byte[] value = java.util.Arrays.copyOfRange(data, eq + 1, end - 1);
            if (key.equals("GNU.sparse.offset") || key.equals("GNU.sparse.numbytes")) {
                sparse00(into, key, value);
            } else if (value.length == 0) {
                into.remove(key);
            } else {
                into.put(key, value);
            }
            i = end;
        }
    }

    /**
     * Sparse format 0.0 repeats {@code GNU.sparse.offset} and {@code GNU.sparse.numbytes} in turn; they are joined
     * into the 0.1 form, {@code GNU.sparse.map}.
     */
    private static void sparse00(Map<String, byte[]> into, String key, byte[] value) throws TarFormatException {
        String map = into.containsKey(SPARSE_MAP) ? new String(into.get(SPARSE_MAP), StandardCharsets.US_ASCII) : "";
        int numbers = map.isEmpty() ? 0 : map.split(",", -1).length;
        if ((numbers % 2 == 0) != key.equals("GNU.sparse.offset")) {
            throw new TarFormatException("GNU.sparse.offset and GNU.sparse.numbytes out of turn");
        }
        String joined = (map.isEmpty() ? "" : map + ",") + new String(value, StandardCharsets.US_ASCII);
        into.put(SPARSE_MAP, joined.getBytes(StandardCharsets.US_ASCII));
    }

    private void skipRest() throws IOException {
        skipFully(remaining + padding);
        remaining = 0;
        padding = 0;
    }

    private void skipFully(long n) throws IOException {
        byte[] scratch = new byte[(int) Math.min(Math.max(n, 1), 65536)];
        while (n > 0) {
            int r = in.read(scratch, 0, (int) Math.min(n, scratch.length));
            if (r < 0) {
                throw new EOFException("tar stream truncated");
            }
            n -= r;
        }
    }

    private long number(int offset, int length) throws TarFormatException {
        return number(header, offset, length);
    }

    /** An octal field, or GNU base-256 when the high bit of the first byte is set. */
    private static long number(byte[] header, int offset, int length) throws TarFormatException {
        if ((header[offset] & 0x80) != 0) {
            boolean negative = (header[offset] & 0x40) != 0;
            long value = header[offset] & 0x3f;
            if (negative) {
                throw new TarFormatException("negative base-256 number in tar header");
            }
            for (int i = 1; i < length; i++) {
                if ((value >>> 55) != 0) {
                    throw new TarFormatException("base-256 number overflows in tar header");
                }
                value = (value << 8) | (header[offset + i] & 0xff);
            }
            return value;
        }
        long value = 0;
        int i = offset;
        int end = offset + length;
        while (i < end && (header[i] == ' ' || header[i] == 0)) {
            i++;
        }
        for (; i < end; i++) {
            byte b = header[i];
            if (b == 0 || b == ' ') {
                break;
            }
            if (b < '0' || b > '7') {
                throw new TarFormatException("invalid octal number in tar header");
            }
            value = (value << 3) + (b - '0');
        }
        return value;
    }

    private boolean matches(int offset, String magic) {
        for (int i = 0; i < magic.length(); i++) {
            if (header[offset + i] != magic.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static String cString(byte[] data) {
        return cString(data, 0, data.length);
    }

    private static String cString(byte[] data, int offset, int length) {
        int end = offset;
        while (end < offset + length && data[end] != 0) {
            end++;
        }
        return new String(data, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static boolean allZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static long parseLong(String key, String value) throws TarFormatException {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new TarFormatException("malformed PAX " + key);
        }
    }

    private static BigDecimal parseDecimal(String key, String value) throws TarFormatException {
        try {
            return new BigDecimal(value.strip());
        } catch (NumberFormatException e) {
            throw new TarFormatException("malformed PAX " + key);
        }
    }
}
