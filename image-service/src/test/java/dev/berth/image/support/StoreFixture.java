package dev.berth.image.support;

import dev.berth.common.exec.Command;
import dev.berth.common.fs.Trees;
import dev.berth.image.ImageAssembly;
import dev.berth.image.ImageStore;
import dev.berth.image.ImageStoreConfig;
import dev.berth.image.RegistryConfig;
import dev.berth.common.fs.MountTable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.function.UnaryOperator;

/**
 * A store root in a fresh temp dir plus the ImageStore assembled on it. {@link #close()} closes the store, unmounts
 * anything mounted under the root, deletes it, and fails if a mount of ours survived.
 */
public final class StoreFixture implements AutoCloseable {

    private final Path root;
    private ImageStoreConfig config;
    private ImageAssembly images;

    public StoreFixture(UnaryOperator<ImageStoreConfig> configure) {
        try {
            root = Files.createTempDirectory("berth-image-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config = configure.apply(ImageStoreConfig.defaults(root).withProgressTimeout(Duration.ofSeconds(20)));
        images = ImageAssembly.open(config);
    }

    /** A store for which every given registry address is insecure (plain HTTP, as the test registries are). */
    public static StoreFixture insecure(String... registries) {
        return new StoreFixture(c -> {
            ImageStoreConfig out = c;
            for (String registry : registries) {
                out = out.withRegistry(registry, RegistryConfig.insecureRegistry());
            }
            return out;
        });
    }

    public ImageStore store() {
        return images.store();
    }

    public Path root() {
        return root;
    }

    public ImageStoreConfig config() {
        return config;
    }

    /** Closes and opens the store again on the same root, as a daemon restart does. */
    public ImageStore reopen() {
        images.close();
        images = ImageAssembly.open(config);
        return images.store();
    }

    public static Instant inMinutes(int minutes) {
        return Instant.now().plus(Duration.ofMinutes(minutes));
    }

    /** Mount points under the root right now. */
    public List<String> mountsUnderRoot() {
        return MountTable.current().under(root).stream()
                .map(entry -> entry.mountPoint().toString())
                .filter(point -> !point.equals(root.toString()))
                .collect(Collectors.toCollection(ArrayList::new));
    }

    @Override
    public void close() {
        images.close();
        List<String> leftover = mountsUnderRoot();
        leftover.sort(Comparator.reverseOrder());
        for (String point : leftover) {
            Command.of("umount", "-l", point).run();
        }
        Trees.deleteRecursively(root);
        if (!mountsUnderRoot().isEmpty()) {
            throw new AssertionError("mounts left under " + root + ": " + mountsUnderRoot());
        }
        if (!leftover.isEmpty()) {
            throw new AssertionError("test left mounts behind (cleaned up now): " + leftover);
        }
    }
}
