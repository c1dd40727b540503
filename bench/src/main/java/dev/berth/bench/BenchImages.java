package dev.berth.bench;

import dev.berth.testing.image.BusyboxImages;
import dev.berth.testing.image.Compression;
import dev.berth.testing.image.ImageBuilder;
import dev.berth.testing.image.LayerBuilder;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local registry both runtimes pull from (there is no internet here) and the images the scenarios use: a pause
 * image for containerd's sandboxes, busybox for containers, and optionally the large pull-test image.
 */
public final class BenchImages implements AutoCloseable {

    /** Debian's catatonit is static: one file is a whole pause image. */
    static final Path CATATONIT = Path.of("/usr/bin/catatonit");
    /** ~150 MB of incompressible data in 4 gzip layers. */
    static final int LARGE_LAYERS = 4;
    static final long LARGE_BYTES = 150L * 1000 * 1000;

    private static final Logger LOG = LoggerFactory.getLogger(BenchImages.class);

    private final TestRegistry registry;
    private final PushedImage pause;
    private final PushedImage busybox;
    private final PushedImage large;

    private BenchImages(TestRegistry registry, PushedImage pause, PushedImage busybox, PushedImage large) {
        this.registry = registry;
        this.pause = pause;
        this.busybox = busybox;
        this.large = large;
    }

    /** Starts the registry and pushes the images; {@code withLarge} also builds and pushes the large one. */
    public static BenchImages push(boolean withLarge) {
        TestRegistry registry = TestRegistry.start();
        try {
            PushedImage pause = pauseImage().push(registry, "berth-bench/pause", "latest");
            PushedImage busybox = BusyboxImages.busybox(registry, "berth-bench/busybox", "latest");
            PushedImage large = null;
            if (withLarge) {
                long t0 = System.nanoTime();
                large = BusyboxImages.large(registry, "berth-bench/large", "latest", LARGE_LAYERS, LARGE_BYTES, 42);
                LOG.info("pushed {} ({} bytes in {} layers) in {} ms", large.reference(), large.size(),
                        large.layerDigests().size(), (System.nanoTime() - t0) / 1_000_000);
            }
            LOG.info("registry {} ready: {} {}", registry.address(), pause.reference(), busybox.reference());
            return new BenchImages(registry, pause, busybox, large);
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
    }

    /**
     * containerd's CRI runs the sandbox image as a long-lived infra container; {@code catatonit -P} just waits
     * for a signal, as pause does. The usual mount points are there because the sandbox root is read-only.
     */
    private static ImageBuilder pauseImage() {
        byte[] binary;
        try {
            binary = Files.readAllBytes(CATATONIT);
        } catch (IOException e) {
            throw new UncheckedIOException(CATATONIT + " is missing: install Debian's catatonit", e);
        }
        return ImageBuilder.create()
                .layer(LayerBuilder.create()
                        .file("catatonit", binary, 0755)
                        .directory("dev", 0755).directory("proc", 0555).directory("sys", 0555)
                        .directory("etc", 0755)
                        .build(Compression.GZIP))
                .entrypoint("/catatonit", "-P")
                .label("dev.berth.bench.image", "pause");
    }

    public String registryAddress() {
        return registry.address();
    }

    public PushedImage pause() {
        return pause;
    }

    public PushedImage busybox() {
        return busybox;
    }

    public Optional<PushedImage> large() {
        return Optional.ofNullable(large);
    }

    @Override
    public void close() {
        registry.close();
    }
}
