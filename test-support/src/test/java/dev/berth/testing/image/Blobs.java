package dev.berth.testing.image;

import com.github.luben.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Independent recomputation of what the fixtures claim: digests, decompression, tar members. */
final class Blobs {

    private Blobs() {
    }

    static String sha256(byte[] data) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** sha256 of a stream read to its end, never holding it. */
    static String sha256(InputStream in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (DigestInputStream digesting = new DigestInputStream(in, digest)) {
            digesting.transferTo(OutputStream.nullOutputStream());
        }
        return "sha256:" + HexFormat.of().formatHex(digest.digest());
    }

    /** sha256 of what is left in a stream, leaving it open. */
    static String sha256Remaining(InputStream in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] chunk = new byte[64 * 1024];
        int n;
        while ((n = in.read(chunk)) >= 0) {
            digest.update(chunk, 0, n);
        }
        return "sha256:" + HexFormat.of().formatHex(digest.digest());
    }

    static InputStream decompress(String mediaType, InputStream blob) throws IOException {
        if (mediaType.endsWith("gzip")) {
            return new GZIPInputStream(blob);
        }
        if (mediaType.endsWith("zstd")) {
            return new ZstdInputStream(blob);
        }
        return blob;
    }

    static byte[] decompress(String mediaType, byte[] blob) throws IOException {
        try (InputStream in = decompress(mediaType, new ByteArrayInputStream(blob))) {
            return in.readAllBytes();
        }
    }

    /** Tar entries by name, with file contents. */
    static Map<String, Member> members(byte[] tar) throws IOException {
        Map<String, Member> members = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            TarArchiveEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                members.put(entry.getName(), new Member(entry, in.readAllBytes()));
            }
        }
        return members;
    }

    static List<String> names(byte[] tar) throws IOException {
        return new ArrayList<>(members(tar).keySet());
    }

    record Member(TarArchiveEntry entry, byte[] content) {
    }
}
