package dev.berth.testing.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Writes {@link LayerEntry}s as a POSIX (PAX) tar stream; big file contents can be streamed in. */
public final class TarWriter implements AutoCloseable {

    private final TarArchiveOutputStream tar;

    TarWriter(OutputStream sink) {
        tar = new TarArchiveOutputStream(sink, "UTF-8");
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
    }

    public void write(LayerEntry entry) throws IOException {
        tar.putArchiveEntry(header(entry, entry.size()));
        if (entry.kind() == LayerEntry.Kind.FILE) {
            tar.write(entry.contentUnsafe());
        }
        tar.closeArchiveEntry();
    }

    /** A regular file whose {@code size} bytes come from {@code content}; {@code header}'s own content is ignored. */
    public void writeFile(LayerEntry header, long size, InputStream content) throws IOException {
        if (header.kind() != LayerEntry.Kind.FILE) {
            throw new IllegalArgumentException("not a regular file: " + header.name());
        }
        tar.putArchiveEntry(header(header, size));
        byte[] chunk = new byte[64 * 1024];
        long left = size;
        while (left > 0) {
            int n = content.read(chunk, 0, (int) Math.min(chunk.length, left));
            if (n < 0) {
                throw new IOException("content of " + header.name() + " ended " + left + " bytes early");
            }
            tar.write(chunk, 0, n);
            left -= n;
        }
        tar.closeArchiveEntry();
    }

    /** Writes the end-of-archive blocks and closes the sink. */
    @Override
    public void close() throws IOException {
        tar.close();
    }

    private static TarArchiveEntry header(LayerEntry entry, long size) {
        String name = entry.name();
        TarArchiveEntry header;
        switch (entry.kind()) {
            case FILE:
                header = new TarArchiveEntry(name, TarConstants.LF_NORMAL, entry.raw());
                header.setSize(size);
                break;
            case DIRECTORY:
                header = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR,
                        entry.raw());
                break;
            case SYMLINK:
                header = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, entry.raw());
                header.setLinkName(entry.linkTarget());
                break;
            case HARDLINK:
                header = new TarArchiveEntry(name, TarConstants.LF_LINK, entry.raw());
                header.setLinkName(entry.linkTarget());
                break;
            case CHAR_DEVICE:
                header = new TarArchiveEntry(name, TarConstants.LF_CHR, entry.raw());
                header.setDevMajor(entry.devMajor());
                header.setDevMinor(entry.devMinor());
                break;
            case BLOCK_DEVICE:
                header = new TarArchiveEntry(name, TarConstants.LF_BLK, entry.raw());
                header.setDevMajor(entry.devMajor());
                header.setDevMinor(entry.devMinor());
                break;
            case FIFO:
                header = new TarArchiveEntry(name, TarConstants.LF_FIFO, entry.raw());
                break;
            default:
                throw new IllegalStateException(entry.kind().toString());
        }
        // Permission bits only, as Go's archive/tar writes them; the type lives in the type flag.
        header.setMode(entry.mode() & 07777);
        header.setUserId(entry.uid());
        header.setGroupId(entry.gid());
        header.setUserName("");
        header.setGroupName("");
        header.setModTime(FileTime.from(entry.mtime().getEpochSecond(), java.util.concurrent.TimeUnit.SECONDS));
        for (Map.Entry<String, String> xattr : entry.xattrs().entrySet()) {
            header.addPaxHeader("SCHILY.xattr." + xattr.getKey(), xattr.getValue());
        }
        return header;
    }
}
