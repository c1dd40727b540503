package dev.berth.testing.image;

import dev.berth.common.exec.Command;
import dev.berth.testing.registry.TestRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Canned test images built from the host's static busybox ({@code /bin/busybox}, Debian busybox-static). Every call
 * builds afresh (nothing is cached across tests); the same call always yields the same digests. Each method has a
 * form with an explicit repository and tag; the short forms use {@code berth-test/<name>:latest}.
 */
public final class BusyboxImages {

    public static final Path BUSYBOX = Path.of("/bin/busybox");

    /** Users in the images' /etc/passwd: root (0), www-data (33), tester (1002), nobody (65534). */
    public static final String PASSWD = ""
            + "root:x:0:0:root:/root:/bin/sh\n"
            + "www-data:x:33:33:www-data:/var/www:/bin/sh\n"
            + "tester:x:1002:1002:tester:/home/tester:/bin/sh\n"
            + "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";

    /** Groups; tester (1002) is also in {@code staff} (50) and {@code www-data} (33) as supplementary groups. */
    public static final String GROUP = ""
            + "root:x:0:\n"
            + "www-data:x:33:tester\n"
            + "staff:x:50:tester\n"
            + "tester:x:1002:\n"
            + "nogroup:x:65534:\n";

    /** Applets a test may rely on; every applet the host busybox has is linked, these are checked to exist. */
    public static final List<String> REQUIRED_APPLETS = List.of("sh", "ls", "cat", "echo", "sleep", "env", "id",
            "hostname", "ping", "ps", "wget", "nc", "top", "touch", "mkdir", "rm", "sync", "dd", "head", "tail",
            "seq", "true", "false", "kill", "grep", "stat", "mount", "cut", "wc", "ln", "chmod", "date");

    private BusyboxImages() {
    }

    // ---- layers and builders to compose your own images --------------------------------------------------------

    /**
     * The busybox root filesystem: /bin/busybox plus a /bin symlink per applet, /usr/bin/env, /etc/passwd and
     * /etc/group, /tmp (1777), /root (0700), /home/tester (1002:1002), /var/www (33:33), /proc /sys /dev.
     */
    public static List<LayerEntry> busyboxEntries() {
        byte[] binary = readBusybox();
        List<LayerEntry> entries = new ArrayList<>();
        entries.add(LayerEntry.directory("bin", 0755));
        entries.add(LayerEntry.file("bin/busybox", binary, 0755));
        for (String applet : applets()) {
            entries.add(LayerEntry.symlink("bin/" + applet, "busybox"));
        }
        entries.add(LayerEntry.directory("dev", 0755));
        entries.add(LayerEntry.directory("etc", 0755));
        entries.add(LayerEntry.file("etc/passwd", PASSWD, 0644));
        entries.add(LayerEntry.file("etc/group", GROUP, 0644));
        entries.add(LayerEntry.directory("home", 0755));
        entries.add(LayerEntry.directory("home/tester", 0755).withOwner(1002, 1002));
        entries.add(LayerEntry.directory("proc", 0555));
        entries.add(LayerEntry.directory("root", 0700));
        entries.add(LayerEntry.directory("sys", 0555));
        entries.add(LayerEntry.directory("tmp", 01777));
        entries.add(LayerEntry.directory("usr", 0755));
        entries.add(LayerEntry.directory("usr/bin", 0755));
        entries.add(LayerEntry.symlink("usr/bin/env", "../../bin/busybox"));
        entries.add(LayerEntry.directory("var", 0755));
        entries.add(LayerEntry.directory("var/www", 0755).withOwner(33, 33));
        return entries;
    }

    public static Layer busyboxLayer(Compression compression) {
        return LayerBuilder.create().addAll(busyboxEntries()).build(compression);
    }

    /** An image builder holding the gzip busybox layer, {@code Cmd ["sh"]}, ready for more layers or settings. */
    public static ImageBuilder busyboxImage() {
        return ImageBuilder.create().layer(busyboxLayer(Compression.GZIP)).cmd("sh")
                .label("dev.berth.test.image", "busybox");
    }

    // ---- canned images ---------------------------------------------------------------------------------------

    /** One gzip layer, OCI manifest, {@code Cmd ["sh"]}. */
    public static PushedImage busybox(TestRegistry registry) {
        return busybox(registry, "berth-test/busybox", "latest");
    }

    public static PushedImage busybox(TestRegistry registry, String repository, String tag) {
        return busyboxImage().push(registry, repository, tag);
    }

    /** busybox plus extra layers on top (e.g. {@link MaliciousLayers}). */
    public static PushedImage busyboxWith(TestRegistry registry, String repository, String tag,
                                          LayerSource... extra) {
        return busyboxImage().layers(Arrays.asList(extra)).push(registry, repository, tag);
    }

    /** The busybox image as a Docker schema 2 manifest (gzip layer, Docker media types). */
    public static PushedImage schema2(TestRegistry registry) {
        return schema2(registry, "berth-test/busybox-schema2", "latest");
    }

    public static PushedImage schema2(TestRegistry registry, String repository, String tag) {
        return busyboxImage().format(ManifestFormat.DOCKER).push(registry, repository, tag);
    }

    /** The busybox image with a zstd layer ({@code application/vnd.oci.image.layer.v1.tar+zstd}). */
    public static PushedImage zstd(TestRegistry registry) {
        return zstd(registry, "berth-test/busybox-zstd", "latest");
    }

    public static PushedImage zstd(TestRegistry registry, String repository, String tag) {
        return ImageBuilder.create().layer(busyboxLayer(Compression.ZSTD)).cmd("sh").push(registry, repository, tag);
    }

    /**
     * Three layers: busybox (gzip); data files and dirs with owners, modes, links, an xattr and a FIFO (gzip); then
     * whiteouts, an opaque directory and new files (uncompressed tar). {@link #multiLayerExpectations()} says what
     * the merged tree must look like. WorkingDir /data, {@code Cmd ["sh"]}.
     */
    public static PushedImage multiLayerWithWhiteouts(TestRegistry registry) {
        return multiLayerWithWhiteouts(registry, "berth-test/multilayer", "latest");
    }

    public static PushedImage multiLayerWithWhiteouts(TestRegistry registry, String repository, String tag) {
        Layer data = LayerBuilder.create()
                .directory("data", 0755)
                .file("data/keep.txt", "kept from layer 2\n", 0640, 33, 33)
                .file("data/remove-me.txt", "removed by layer 3\n", 0644)
                .directory("data/gone-dir", 0755)
                .file("data/gone-dir/inner.txt", "removed with its directory\n", 0644)
                .directory("data/replaced", 0755)
                .file("data/replaced/old-a.txt", "hidden by the opaque marker\n", 0644)
                .directory("data/replaced/sub", 0755)
                .file("data/replaced/sub/old-b.txt", "hidden too\n", 0644)
                .file("data/hardlink-target.txt", "shared inode\n", 0644)
                .hardlink("data/hardlink.txt", "data/hardlink-target.txt")
                .symlink("data/symlink", "keep.txt")
                .directory("data/secret", 0700, 1002, 1002)
                .file("data/secret/key", "s3cret\n", 0600, 1002, 1002)
                .directory("data/sticky", 01777)
                .add(LayerEntry.file("data/xattr.txt", "has an xattr\n", 0644).withXattr("user.berth", "yes"))
                .add(LayerEntry.fifo("data/pipe", 0600))
                .build(Compression.GZIP);
        Layer changes = LayerBuilder.create()
                .directory("data", 0755)
                .whiteout("data/remove-me.txt")
                .whiteout("data/gone-dir")
                .directory("data/replaced", 0750, 1002, 1002)
                .opaque("data/replaced")
                .file("data/replaced/new.txt", "only file after the opaque marker\n", 0600, 1002, 1002)
                .file("data/added.txt", "added in layer 3\n", 0644, 33, 33)
                .build(Compression.NONE);
        return busyboxImage().layer(data).layer(changes).workingDir("/data")
                .label("dev.berth.test.image", "multilayer").push(registry, repository, tag);
    }

    /** What {@link #multiLayerWithWhiteouts} must look like once its three layers are merged. */
    public static ExpectedTree multiLayerExpectations() {
        LayerEntry.Kind file = LayerEntry.Kind.FILE;
        LayerEntry.Kind dir = LayerEntry.Kind.DIRECTORY;
        return new ExpectedTree(List.of(
                new ExpectedPath("/data", dir, 0755, 0, 0, null, null),
                new ExpectedPath("/data/keep.txt", file, 0640, 33, 33, "kept from layer 2\n", null),
                new ExpectedPath("/data/replaced", dir, 0750, 1002, 1002, null, null),
                new ExpectedPath("/data/replaced/new.txt", file, 0600, 1002, 1002,
                        "only file after the opaque marker\n", null),
                new ExpectedPath("/data/added.txt", file, 0644, 33, 33, "added in layer 3\n", null),
                new ExpectedPath("/data/hardlink-target.txt", file, 0644, 0, 0, "shared inode\n", null),
                new ExpectedPath("/data/hardlink.txt", file, 0644, 0, 0, "shared inode\n", null),
                new ExpectedPath("/data/symlink", LayerEntry.Kind.SYMLINK, 0777, 0, 0, null, "keep.txt"),
                new ExpectedPath("/data/secret", dir, 0700, 1002, 1002, null, null),
                new ExpectedPath("/data/secret/key", file, 0600, 1002, 1002, "s3cret\n", null),
                new ExpectedPath("/data/sticky", dir, 01777, 0, 0, null, null),
                new ExpectedPath("/data/xattr.txt", file, 0644, 0, 0, "has an xattr\n", null),
                new ExpectedPath("/data/pipe", LayerEntry.Kind.FIFO, 0600, 0, 0, null, null),
                new ExpectedPath("/tmp", dir, 01777, 0, 0, null, null),
                new ExpectedPath("/etc/passwd", file, 0644, 0, 0, PASSWD, null)),
                List.of("/data/remove-me.txt", "/data/gone-dir", "/data/gone-dir/inner.txt",
                        "/data/replaced/old-a.txt", "/data/replaced/sub", "/data/replaced/sub/old-b.txt",
                        "/data/.wh.remove-me.txt", "/data/replaced/.wh..wh..opq"));
    }

    /**
     * An OCI index for linux/arm64/v8, linux/arm/v7 and linux/amd64, in that order, so only a client that selects
     * by platform gets the runnable amd64 image (busybox + a layer with /etc/berth-platform saying
     * {@code linux/amd64}). The returned image's config and layers are the amd64 ones.
     */
    public static PushedImage multiArch(TestRegistry registry) {
        return multiArch(registry, "berth-test/multiarch", "latest", ManifestFormat.OCI).image();
    }

    /** The same as a Docker manifest list. */
    public static PushedImage multiArchDockerList(TestRegistry registry) {
        return multiArch(registry, "berth-test/multiarch-list", "latest", ManifestFormat.DOCKER).image();
    }

    public static IndexBuilder.PushedIndex multiArch(TestRegistry registry, String repository, String tag,
                                                     ManifestFormat format) {
        IndexBuilder index = IndexBuilder.create(format);
        for (Platform platform : List.of(Platform.LINUX_ARM64_V8, Platform.LINUX_ARM_V7)) {
            // Other platforms cannot run here anyway: a marker layer keeps them small.
            index.image(ImageBuilder.create().platform(platform).layer(platformLayer(platform)).cmd("sh"));
        }
        index.image(busyboxImage().platform(Platform.LINUX_AMD64).layer(platformLayer(Platform.LINUX_AMD64)));
        return index.push(registry, repository, tag);
    }

    /** {@code layers} layers in all: busybox, then one small file per layer at /layers/NNN. */
    public static PushedImage manyLayers(TestRegistry registry, int layers) {
        return manyLayers(registry, "berth-test/manylayers", "latest", layers);
    }

    public static PushedImage manyLayers(TestRegistry registry, String repository, String tag, int layers) {
        if (layers < 1) {
            throw new IllegalArgumentException("at least one layer");
        }
        ImageBuilder image = busyboxImage();
        for (int i = 1; i < layers; i++) {
            String name = String.format("layers/%03d", i);
            image.layer(LayerBuilder.create().directory("layers", 0755).file(name, "layer " + i + "\n", 0644)
                    .build(Compression.GZIP));
        }
        return image.push(registry, repository, tag);
    }

    /**
     * {@code layers} gzip layers holding {@code totalBytes} of seeded random (incompressible) data in all, as
     * /data/random-N.bin; the first layer also holds busybox so the image runs. Layers are generated while they
     * upload: nothing near {@code totalBytes} is ever in memory. Seed 42.
     */
    public static PushedImage large(TestRegistry registry, int layers, long totalBytes) {
        return large(registry, "berth-test/large", "latest", layers, totalBytes, 42);
    }

    public static PushedImage large(TestRegistry registry, String repository, String tag, int layers,
                                    long totalBytes, long seed) {
        if (layers < 1) {
            throw new IllegalArgumentException("at least one layer");
        }
        List<LayerEntry> base = busyboxEntries();
        ImageBuilder image = ImageBuilder.create().cmd("sh").label("dev.berth.test.image", "large");
        long perLayer = totalBytes / layers;
        for (int i = 0; i < layers; i++) {
            int index = i;
            long size = i == layers - 1 ? totalBytes - perLayer * (layers - 1) : perLayer;
            image.layer(new StreamedLayer(Compression.GZIP, tar -> {
                if (index == 0) {
                    for (LayerEntry entry : base) {
                        tar.write(entry);
                    }
                }
                tar.write(LayerEntry.directory("data", 0755));
                tar.writeFile(LayerEntry.file("data/random-" + index + ".bin", new byte[0], 0644), size,
                        new RandomBytes(seed * 1_000_003L + index, size));
            }, true));
        }
        return image.push(registry, repository, tag);
    }

    // ---- internals -------------------------------------------------------------------------------------------

    private static Layer platformLayer(Platform platform) {
        return LayerBuilder.create()
                .directory("etc", 0755)
                .file("etc/berth-platform", platform + "\n", 0644)
                .build(Compression.GZIP);
    }

    private static byte[] readBusybox() {
        if (!Files.isRegularFile(BUSYBOX)) {
            throw new IllegalStateException(BUSYBOX + " is missing: install Debian's busybox-static");
        }
        try {
            byte[] binary = Files.readAllBytes(BUSYBOX);
            if (contains(binary, "/lib64/ld-linux".getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
                throw new IllegalStateException(BUSYBOX + " is dynamically linked: install busybox-static");
            }
            return binary;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + BUSYBOX, e);
        }
    }

    private static List<String> applets() {
        String listed = Command.of(BUSYBOX.toString(), "--list").check().stdoutText();
        List<String> applets = listed.lines().map(String::strip).filter(s -> !s.isEmpty() && !s.contains("/"))
                // The list names busybox itself; a link would replace the binary with a self-loop.
                .filter(s -> !s.equals("busybox"))
                .sorted().distinct().toList();
        for (String required : REQUIRED_APPLETS) {
            if (!applets.contains(required)) {
                throw new IllegalStateException(BUSYBOX + " lacks the " + required + " applet");
            }
        }
        return applets;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
