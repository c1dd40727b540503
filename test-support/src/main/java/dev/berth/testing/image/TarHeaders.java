package dev.berth.testing.image;

import java.nio.charset.StandardCharsets;

/** Hand-made ustar headers, for archives the regular writer will not make (a 10 GB entry that is never written). */
final class TarHeaders {

    static final int BLOCK = 512;

    private TarHeaders() {
    }

    /** A ustar header; sizes of 8 GiB and more use GNU base-256, as Go's archive/tar and GNU tar read them. */
    static byte[] ustar(String name, char type, long size, int mode) {
        byte[] h = new byte[BLOCK];
        put(h, 0, name);
        put(h, 100, String.format("%07o", mode));
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        if (size < 077777777777L) {
            put(h, 124, String.format("%011o", size));
        } else {
            h[124] = (byte) 0x80;
            for (int i = 0; i < 8; i++) {
                h[135 - i] = (byte) (size >>> (8 * i));
            }
        }
        put(h, 136, String.format("%011o", LayerEntry.DEFAULT_MTIME.getEpochSecond()));
        h[156] = (byte) type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        return h;
    }

    private static void put(byte[] h, int offset, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, h, offset, bytes.length);
    }
}
