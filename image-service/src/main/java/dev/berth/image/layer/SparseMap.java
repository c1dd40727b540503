package dev.berth.image.layer;

import java.util.List;

/**
 * Where a regular file's stored bytes go: data segments in a file of {@code realSize} bytes, holes elsewhere. A
 * plain tar entry is one segment over the whole file; a GNU sparse entry (old GNU {@code 'S'} headers, PAX
 * {@code GNU.sparse.*} 0.0, 0.1 and 1.0) stores only its segments, so a 10 GB file of holes is a few blocks of tar.
 *
 * @param segments data segments in file order, not overlapping, all within {@code realSize}
 * @param realSize the file's length
 */
public record SparseMap(List<Segment> segments, long realSize) {

    /** {@code length} stored bytes that belong at {@code offset}. */
    public record Segment(long offset, long length) {

        long end() {
            return offset + length;
        }
    }

    public SparseMap {
        segments = List.copyOf(segments);
    }

    public static SparseMap dense(long size) {
        return new SparseMap(List.of(new Segment(0, size)), size);
    }

    /**
     * Checks what a hostile header could get wrong (as Go's archive/tar does): negative or overflowing values,
     * segments out of order, overlapping or past the end, stored bytes that the segments do not account for.
     */
    public static SparseMap checked(List<Segment> segments, long realSize, long storedBytes)
            throws TarFormatException {
        if (realSize < 0) {
            throw new TarFormatException("sparse file with a negative size");
        }
        long previousEnd = 0;
        long data = 0;
        for (Segment s : segments) {
            if (s.offset() < 0 || s.length() < 0 || s.offset() > Long.MAX_VALUE - s.length()) {
                throw new TarFormatException("sparse map has a negative or overflowing segment");
            }
            if (s.offset() < previousEnd || s.end() > realSize) {
                throw new TarFormatException("sparse map segments overlap, are out of order or pass the file's end");
            }
            previousEnd = s.end();
            data += s.length();
        }
        if (data != storedBytes) {
            throw new TarFormatException("sparse map accounts for " + data + " bytes, the entry stores "
                    + storedBytes);
        }
        return new SparseMap(segments, realSize);
    }
}
