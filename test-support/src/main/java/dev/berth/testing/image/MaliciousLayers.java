package dev.berth.testing.image;

import dev.berth.common.exec.Command;
import dev.berth.common.fs.Trees;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Hostile layers for extraction-safety tests. Most try to write outside the layer directory; a safe extractor
 * refuses the layer (or the entry) and leaves nothing outside. Entries are written verbatim (see
 * {@link LayerEntry#asRaw()}). Others try to exhaust the disk or the CPU: sparse files, zeros, decompression bombs.
 */
public final class MaliciousLayers {

    /** What every escaping file says, so a test can grep the host for it. */
    public static final String PAYLOAD = "berth-escape-payload\n";

    private MaliciousLayers() {
    }

    /** A file named {@code ../escape} (and {@code a/../../escape-nested}). */
    public static Layer dotDotEscape(Compression compression) {
        return LayerBuilder.create()
                .raw(LayerEntry.file("../escape", PAYLOAD, 0644))
                .raw(LayerEntry.file("a/../../escape-nested", PAYLOAD, 0644))
                .build(compression);
    }

    /** A file with an absolute name, {@code /etc/berth-absolute-escape}. */
    public static Layer absolutePath(Compression compression) {
        return LayerBuilder.create()
                .raw(LayerEntry.file("/etc/berth-absolute-escape", PAYLOAD, 0644))
                .build(compression);
    }

    /** {@code link -> /}, then {@code link/etc/berth-symlink-escape} written through it. */
    public static Layer symlinkEscape(Compression compression) {
        return LayerBuilder.create()
                .raw(LayerEntry.symlink("link", "/"))
                .raw(LayerEntry.file("link/etc/berth-symlink-escape", PAYLOAD, 0644))
                .build(compression);
    }

    /** The same through a relative link: {@code up -> ../../../../..}, then {@code up/berth-relative-escape}. */
    public static Layer relativeSymlinkEscape(Compression compression) {
        return LayerBuilder.create()
                .raw(LayerEntry.symlink("up", "../../../../../../../.."))
                .raw(LayerEntry.file("up/tmp/berth-relative-escape", PAYLOAD, 0644))
                .build(compression);
    }

    /** A hard link {@code hl -> ../../outside}. */
    public static Layer hardlinkEscape(Compression compression) {
        return LayerBuilder.create()
                .raw(LayerEntry.hardlink("hl", "../../outside"))
                .build(compression);
    }

    /** A hard link {@code hl-abs -> /etc/passwd}: linking a host file into the layer. */
    public static Layer absoluteHardlink(Compression compression) {
        return LayerBuilder.create()
                .raw(LayerEntry.hardlink("hl-abs", "/etc/passwd"))
                .build(compression);
    }

    /** Device nodes and fifos as an image may carry them: /dev/null (1,3), /dev/sda (8,0), a fifo with setgid. */
    public static Layer deviceNodes(Compression compression) {
        return LayerBuilder.create()
                .directory("dev", 0755)
                .add(LayerEntry.charDevice("dev/null", 1, 3, 0666))
                .add(LayerEntry.charDevice("dev/big-minor", 4095, 1048575, 0600).withOwner(5, 6))
                .add(LayerEntry.blockDevice("dev/sda", 8, 0, 0660).withOwner(0, 6))
                .add(LayerEntry.fifo("dev/fifo", 02640).withOwner(33, 33))
                .build(compression);
    }

    /** setuid, setgid and sticky bits on files and directories, owned by root and by others. */
    public static Layer setuidFiles(Compression compression) {
        return LayerBuilder.create()
                .directory("sbin", 0755)
                .add(LayerEntry.file("sbin/su-like", PAYLOAD, 04755))
                .add(LayerEntry.file("sbin/sgid-tool", PAYLOAD, 02711).withOwner(0, 42))
                .add(LayerEntry.file("sbin/both", PAYLOAD, 06750).withOwner(1002, 1002))
                .add(LayerEntry.directory("shared", 03775).withOwner(0, 50))
                .build(compression);
    }

    /**
     * A file {@code sparse/big} of {@code size} bytes that is almost all holes ({@code start} at 0, {@code middle}
     * at half, {@code end!} in the last 4 bytes), archived by the host's GNU tar in {@code format}: the tar holds a
     * few blocks, the file it describes is {@code size} bytes long.
     */
    public static Layer sparseFile(SparseFormat format, long size, Compression compression) {
        return sparseFile(format, size, 0, compression);
    }

    /**
     * As {@link #sparseFile(SparseFormat, long, Compression)} with {@code extraRegions} more data regions spread
     * over the file ({@code x} at each {@code i * size / (extraRegions + 1)}), so the sparse map outgrows the header
     * (old GNU extension blocks, a PAX 1.0 map of several blocks).
     */
    public static Layer sparseFile(SparseFormat format, long size, int extraRegions, Compression compression) {
        Path dir;
        try {
            dir = Files.createTempDirectory("berth-sparse-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Files.createDirectory(dir.resolve("sparse"));
            try (RandomAccessFile file = new RandomAccessFile(dir.resolve("sparse/big").toFile(), "rw")) {
                file.setLength(size);
                file.write("start".getBytes(StandardCharsets.US_ASCII));
                file.seek(size / 2);
                file.write("middle".getBytes(StandardCharsets.US_ASCII));
                file.seek(size - 4);
                file.write("end!".getBytes(StandardCharsets.US_ASCII));
                for (int i = 1; i <= extraRegions; i++) {
                    file.seek(i * (size / (extraRegions + 1)) + 8192);
                    file.write('x');
                }
            }
            Path tar = dir.resolve("layer.tar");
            List<String> argv = new ArrayList<>(List.of("tar", "--sparse"));
            argv.addAll(format.tarOptions());
            argv.addAll(List.of("--owner=0", "--group=0", "--numeric-owner", "-C", dir.toString(), "-cf",
                    tar.toString(), "sparse"));
            Command.of(argv).check();
            return Layer.ofTar(Files.readAllBytes(tar), compression);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            Trees.deleteRecursively(dir);
        }
    }

    /**
     * One plain (not sparse) file {@code data/zeros.bin} of {@code size} bytes: a line of text, then zeros. Built
     * while it uploads, never held in memory.
     */
    public static StreamedLayer zeros(long size, Compression compression) {
        byte[] head = "zeros follow\n".getBytes(StandardCharsets.US_ASCII);
        return new StreamedLayer(compression, tar -> {
            tar.write(LayerEntry.directory("data", 0755));
            tar.writeFile(LayerEntry.file("data/zeros.bin", new byte[0], 0644), size, new InputStream() {
                private long position;

                @Override
                public int read() {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    if (position >= size) {
                        return -1;
                    }
                    int n = (int) Math.min(len, size - position);
                    java.util.Arrays.fill(b, off, off + n, (byte) 0);
                    for (int i = 0; i < n && position + i < head.length; i++) {
                        b[off + i] = head[(int) position + i];
                    }
                    position += n;
                    return n;
                }
            });
        });
    }

    /**
     * A decompression bomb: one plain file {@code bomb} of {@code size} zero bytes (10 GB and more is fine), as
     * gzip (concatenated members) or zstd (concatenated frames), a few bytes per megabyte. Built in well under a
     * second: a 64 MiB run of zeros is compressed once and repeated. Its diff ID is a placeholder, not computed
     * (that would hash {@code size} bytes): a puller must stop at its size limit long before it could check it.
     */
    public static Layer decompressionBomb(long size, Compression compression) {
        if (compression == Compression.NONE || size % TarHeaders.BLOCK != 0) {
            throw new IllegalArgumentException("a compressed bomb of whole tar blocks");
        }
        long zeros = size + 2L * TarHeaders.BLOCK; // the content, then the end-of-archive blocks
        int run = 64 << 20;
        try {
            ByteArrayOutputStream blob = new ByteArrayOutputStream();
            blob.write(compressed(compression, TarHeaders.ustar("bomb", '0', size, 0644)));
            byte[] fullRun = compressed(compression, new byte[run]);
            for (long left = zeros; left > 0; left -= run) {
                blob.write(left >= run ? fullRun : compressed(compression, new byte[(int) left]));
            }
            byte[] bytes = blob.toByteArray();
            return new Layer(bytes, compression, Digests.sha256(bytes), "sha256:" + "0".repeat(64), bytes.length,
                    TarHeaders.BLOCK + zeros);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** At the strongest setting: a bomb should be small (deflate reaches about 1:1000 on zeros). */
    private static byte[] compressed(Compression compression, byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        java.io.OutputStream stream = compression == Compression.GZIP
                ? new java.util.zip.GZIPOutputStream(out, 64 * 1024) {
                    {
                        def.setLevel(java.util.zip.Deflater.BEST_COMPRESSION);
                    }
                }
                : new com.github.luben.zstd.ZstdOutputStream(out, 19);
        try (stream) {
            stream.write(data);
        }
        return out.toByteArray();
    }
}
