package dev.berth.runtime;

import dev.berth.common.error.BerthException;
import dev.berth.common.exec.Command;
import dev.berth.common.fs.Trees;
import dev.berth.common.fs.MountTable;
import dev.berth.common.image.ImageUser;
import dev.berth.runtime.host.sys.Syscalls;
import dev.berth.runtime.spi.ImageConfig;
import dev.berth.runtime.spi.PreparedRootfs;
import dev.berth.runtime.spi.RootfsProvider;
import dev.berth.runtime.spi.WritableLayerUsage;
import dev.berth.runtime.testing.BusyboxRootfs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A test RootfsProvider: one busybox directory as the only layer, served to each container through a real overlay
 * mount with its own upper/work dirs. Images: {@code busybox} (by name or by {@link #BUSYBOX_ID}) and
 * {@code busybox-usr1} (stop signal SIGUSR1). Anything else is NOT_FOUND.
 */
final class OverlayRootfsProvider implements RootfsProvider {

    static final String BUSYBOX_ID = "sha256:" + "b".repeat(64);
    static final String USR1_ID = "sha256:" + "c".repeat(64);
    static final String BUSYBOX_REF = "docker.io/library/busybox@sha256:" + "d".repeat(64);

    private record Image(String id, String ref, ImageConfig config) {
    }

    private final Path lower;
    private final Path containers;
    private final Map<String, Image> images;
    private final Map<String, Path> prepared = new ConcurrentHashMap<>();
    final AtomicLong prepareCalls = new AtomicLong();

    OverlayRootfsProvider(Path dir) {
        this.lower = BusyboxRootfs.create(dir.resolve("lower"));
        this.containers = dir.resolve("c");
        ImageConfig busybox = new ImageConfig(List.of(), List.of("/bin/sh"),
                List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "IMAGE_VAR=busybox"),
                "", ImageUser.UNSET, "");
        ImageConfig usr1 = new ImageConfig(List.of(), List.of("/bin/sh"), List.of("PATH=/bin"), "",
                ImageUser.UNSET, "SIGUSR1");
        Image plain = new Image(BUSYBOX_ID, BUSYBOX_REF, busybox);
        Image withUsr1 = new Image(USR1_ID, "docker.io/library/busybox-usr1@sha256:" + "e".repeat(64), usr1);
        this.images = Map.of("busybox", plain, "docker.io/library/busybox:latest", plain, BUSYBOX_ID, plain,
                "busybox-usr1", withUsr1, USR1_ID, withUsr1);
    }

    @Override
    public PreparedRootfs prepare(String containerId, String image) {
        prepareCalls.incrementAndGet();
        Image found = images.get(image);
        if (found == null) {
            throw BerthException.notFound("image " + image + " not found");
        }
        Path dir = containers.resolve(containerId);
        Path merged = dir.resolve("merged");
        try {
            Files.createDirectories(dir.resolve("upper"));
            Files.createDirectories(dir.resolve("work"));
            Files.createDirectories(merged);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Command.of("mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + lower + ",upperdir=" + dir.resolve("upper")
                + ",workdir=" + dir.resolve("work"), merged.toString()).check();
        prepared.put(containerId, dir);
        return new PreparedRootfs(found.id(), found.ref(), merged, found.config());
    }

    @Override
    public void release(String containerId) {
        unmountExited(containerId);
        Trees.deleteRecursively(containers.resolve(containerId));
        prepared.remove(containerId);
    }

    @Override
    public void unmountExited(String containerId) {
        Path merged = containers.resolve(containerId).resolve("merged");
        while (MountTable.current().isMountPoint(merged)) {
            Syscalls.umount(merged.toString());
        }
    }

    @Override
    public WritableLayerUsage usage(String containerId) {
        Path upper = containers.resolve(containerId).resolve("upper");
        long[] totals = new long[2];
        if (Files.isDirectory(upper)) {
            try (Stream<Path> walk = Files.walk(upper)) {
                walk.forEach(p -> {
                    totals[1]++;
                    try {
                        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                            totals[0] += Files.size(p);
                        }
                    } catch (IOException e) {
                        // vanished meanwhile
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new WritableLayerUsage(containers, totals[0], totals[1]);
    }

    /** Containers whose rootfs is still prepared (leak check). */
    /** A container's directory: {@code merged} (the mount point), {@code upper}, {@code work}. */
    Path dirOf(String containerId) {
        return containers.resolve(containerId);
    }

    List<String> active() {
        try (Stream<Path> dirs = Files.isDirectory(containers) ? Files.list(containers) : Stream.empty()) {
            return dirs.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
