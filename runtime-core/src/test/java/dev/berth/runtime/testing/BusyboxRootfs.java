package dev.berth.runtime.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A container root filesystem built from the host's static busybox (package busybox-static): {@code /bin/busybox}
 * with every applet as a symlink in /bin, plus /etc/passwd, /etc/group, /tmp and the usual mount points.
 *
 * <p>Users: root (0:0), daemon (1:1), berth (1000:1000, also in group "audio" 29 and "staff" 50), nobody
 * (65534:65534). Groups: root 0, daemon 1, audio 29 (members berth), staff 50 (members berth), berth 1000, nogroup
 * 65534.
 */
public final class BusyboxRootfs {

    public static final Path HOST_BUSYBOX = Path.of("/bin/busybox");

    public static final String PASSWD = "root:x:0:0:root:/root:/bin/sh\n"
            + "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
            + "berth:x:1000:1000:berth test user:/home/berth:/bin/sh\n"
            + "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";

    public static final String GROUP = "root:x:0:\n"
            + "daemon:x:1:\n"
            + "audio:x:29:berth\n"
            + "staff:x:50:berth\n"
            + "berth:x:1000:\n"
            + "nogroup:x:65534:\n";

    private BusyboxRootfs() {
    }

    /** Creates the rootfs in {@code dir} (created if missing) and returns {@code dir}. */
    public static Path create(Path dir) {
        try {
            Files.createDirectories(dir);
            for (String sub : List.of("bin", "etc", "proc", "sys", "dev", "root", "home/berth", "var", "run",
                    "usr/bin", "usr/sbin", "sbin")) {
                Files.createDirectories(dir.resolve(sub));
            }
            Path tmp = Files.createDirectories(dir.resolve("tmp"));
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
            Path busybox = dir.resolve("bin/busybox");
            Files.copy(HOST_BUSYBOX, busybox);
            for (String applet : applets()) {
                if (applet.isBlank() || applet.contains("/") || applet.equals("busybox")) {
                    continue;
                }
                Path link = dir.resolve("bin").resolve(applet);
                if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createSymbolicLink(link, Path.of("busybox"));
                }
            }
            Files.writeString(dir.resolve("etc/passwd"), PASSWD, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("etc/group"), GROUP, StandardCharsets.UTF_8);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build busybox rootfs in " + dir, e);
        }
    }

    private static List<String> applets() throws IOException {
        Process process = new ProcessBuilder(HOST_BUSYBOX.toString(), "--list").redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return List.of(out.split("\n"));
    }
}
