package dev.berth.image.store;

import dev.berth.common.error.BerthException;
import dev.berth.common.fs.AtomicFiles;
import dev.berth.image.content.Digest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verified manifests and configs under {@code images/blobs/<algorithm>/<hex>}. Only content that matches its
 * digest is written, atomically; layer blobs are not kept (they are unpacked while they stream).
 */
public final class BlobStore {

    private static final Logger log = LoggerFactory.getLogger(BlobStore.class);

    private final Path dir;
    private final Map<Digest, Long> sizes = new ConcurrentHashMap<>();

    /** @param dir the {@code images/blobs} directory */
    public BlobStore(Path dir) {
        this.dir = dir;
    }

    /** Removes temporary files of interrupted writes and indexes what is stored. */
    public void recover() {
        try {
            for (String algorithm : new String[] {"sha256", "sha512"}) {
                Path algDir = dir.resolve(algorithm);
                Files.createDirectories(algDir);
                try (DirectoryStream<Path> files = Files.newDirectoryStream(algDir)) {
                    for (Path file : files) {
                        String name = file.getFileName().toString();
                        Optional<Digest> digest = Digest.tryParse(algorithm + ":" + name);
                        if (digest.isEmpty()) {
                            log.info("event=blob_leftover_removed path={}", file);
                            Files.deleteIfExists(file);
                        } else {
                            sizes.put(digest.get(), Files.size(file));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot recover blobs in " + dir, e);
        }
    }

    public boolean contains(Digest digest) {
        return sizes.containsKey(digest);
    }

    public Optional<byte[]> read(Digest digest) {
        try {
            return Optional.of(Files.readAllBytes(path(digest)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.INTERNAL, "cannot read blob " + digest, e);
        }
    }

    /** Stores content under its digest; refuses content that does not match it. */
    public void write(Digest digest, byte[] content) {
        if (!digest.matches(content)) {
            throw BerthException.failedPrecondition("content does not match digest " + digest);
        }
        if (contains(digest)) {
            return;
        }
        try {
            AtomicFiles.write(path(digest), content);
        } catch (UncheckedIOException e) {
            throw new BerthException(BerthException.Kind.INTERNAL, "cannot store blob " + digest, e);
        }
        sizes.put(digest, (long) content.length);
    }

    public void delete(Digest digest) {
        try {
            Files.deleteIfExists(path(digest));
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.INTERNAL, "cannot delete blob " + digest, e);
        }
        sizes.remove(digest);
    }

    public Set<Digest> all() {
        return Set.copyOf(sizes.keySet());
    }

    /** Bytes stored, from the sizes recorded when blobs were written. */
    public long totalBytes() {
        return sizes.values().stream().mapToLong(Long::longValue).sum();
    }

    public int count() {
        return sizes.size();
    }

    private Path path(Digest digest) {
        return dir.resolve(digest.algorithm()).resolve(digest.hex());
    }
}
