package dev.berth.cri.check;

import dev.berth.cri.config.BerthConfig;
import dev.berth.cri.config.HandlerSection;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Inspects the host for what berth needs, without changing anything. */
public final class HostCheck {

    private static final long MIN_FREE_BYTES = 2L * 1024 * 1024 * 1024;

    private final BerthConfig config;

    public HostCheck(BerthConfig config) {
        this.config = config;
    }

    public List<Prerequisite> run() {
        List<Prerequisite> results = new ArrayList<>();
        String cgroupMode = cgroupMode();
        for (Map.Entry<String, HandlerSection> handler : config.runtime().handlers().entrySet()) {
            boolean isDefault = handler.getKey().equals(config.runtime().defaultHandler());
            Path binary = Path.of(handler.getValue().path());
            Prerequisite found = binary("handler " + handler.getKey(), binary, isDefault,
                    "apt-get install -y " + packageFor(handler.getValue().path()));
            if (found.ok() && binary.getFileName().toString().equals("crun") && cgroupMode.equals("hybrid")) {
                // crun (1.8 in bookworm) refuses to create containers when cgroup v2 is mounted beside v1.
                found = new Prerequisite(found.name(), isDefault, false,
                        binary + " present, but crun refuses cgroup-v1 \"hybrid\" hosts like this one",
                        "use runc for this handler, or boot with cgroup v1 only or v2 only");
            }
            results.add(found);
        }
        results.add(binary("conmon", Path.of("/usr/bin/conmon"), true, "apt-get install -y conmon"));
        results.add(binary("unshare (util-linux)", Path.of("/usr/bin/unshare"), true,
                "apt-get install -y util-linux"));
        results.add(binary("nsenter (util-linux)", Path.of("/usr/bin/nsenter"), true,
                "apt-get install -y util-linux"));
        results.add(binary("ip (iproute2)", Path.of("/usr/sbin/ip"), true, "apt-get install -y iproute2"));
        results.add(binary("nft (nftables)", Path.of("/usr/sbin/nft"), true, "apt-get install -y nftables"));
        results.add(binary("catatonit (shared PID namespace pods)", Path.of("/usr/bin/catatonit"), false,
                "apt-get install -y catatonit"));
        results.add(binary("socat (port-forward into pods)", Path.of("/usr/bin/socat"), false,
                "apt-get install -y socat"));
        results.add(overlay());
        results.add(cgroups(cgroupMode));
        results.add(freeSpace(Path.of(config.storage().root())));
        return results;
    }

    private static Prerequisite binary(String name, Path path, boolean required, String fix) {
        boolean ok = Files.isExecutable(path);
        return new Prerequisite(name, required, ok, ok ? path.toString() : path + " not found", fix);
    }

    private static String packageFor(String path) {
        String name = Path.of(path).getFileName().toString();
        return name.equals("runc") || name.equals("crun") ? name : "<package providing " + path + ">";
    }

    private static Prerequisite overlay() {
        boolean ok = readOrEmpty(Path.of("/proc/filesystems")).lines().anyMatch(l -> l.endsWith("\toverlay"));
        return new Prerequisite("overlayfs", true, ok, ok ? "overlay in /proc/filesystems" : "overlay not loaded",
                "modprobe overlay");
    }

    private Prerequisite cgroups(String mode) {
        String driver = config.runtime().cgroupDriver();
        boolean systemdRunning = Files.isDirectory(Path.of("/run/systemd/system"));
        boolean ok = !mode.equals("none") && (!driver.equals("systemd") || systemdRunning);
        String detail = "mode " + mode + ", driver " + driver
                + (driver.equals("systemd") && !systemdRunning ? " but systemd is not running" : "");
        return new Prerequisite("cgroups", true, ok, detail,
                driver.equals("systemd") ? "set runtime.cgroup_driver = \"cgroupfs\" or boot with systemd"
                        : "mount cgroup filesystems under /sys/fs/cgroup");
    }

    /** v2 (unified), hybrid (v1 controllers plus a cgroup2 mount) or v1. */
    static String cgroupMode() {
        String mounts = readOrEmpty(Path.of("/proc/self/mounts"));
        boolean unifiedRoot = mounts.lines().anyMatch(l -> l.matches("\\S+ /sys/fs/cgroup cgroup2 .*"));
        if (unifiedRoot) {
            return "v2";
        }
        boolean v1 = mounts.lines().anyMatch(l -> l.matches("\\S+ /sys/fs/cgroup/\\S+ cgroup .*"));
        boolean v2Somewhere = mounts.lines().anyMatch(l -> l.matches("\\S+ /sys/fs/cgroup/\\S+ cgroup2 .*"));
        if (v1) {
            return v2Somewhere ? "hybrid" : "v1";
        }
        return "none";
    }

    private static Prerequisite freeSpace(Path root) {
        Path existing = root;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            FileStore store = Files.getFileStore(existing == null ? Path.of("/") : existing);
            long free = store.getUsableSpace();
            boolean ok = free >= MIN_FREE_BYTES;
            return new Prerequisite("free space at " + root, true, ok, (free / (1024 * 1024)) + " MiB free",
                    "free at least " + (MIN_FREE_BYTES / (1024 * 1024 * 1024)) + " GiB or set storage.root");
        } catch (IOException e) {
            return new Prerequisite("free space at " + root, true, false, e.getMessage(), "set storage.root");
        }
    }

    private static String readOrEmpty(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
