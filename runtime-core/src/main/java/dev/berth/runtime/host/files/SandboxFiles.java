package dev.berth.runtime.host.files;

import dev.berth.common.error.BerthException;
import dev.berth.common.fs.AtomicFiles;
import dev.berth.common.net.DnsSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

/**
 * Writes a sandbox's {@code hostname}, {@code hosts} and {@code resolv.conf} (what containerd calls the sandbox
 * files). Pure file writes; no mounts, no spawns.
 */
public final class SandboxFiles {

    private static final String LOCALHOST_LINES = "127.0.0.1\tlocalhost\n"
            + "::1\tlocalhost ip6-localhost ip6-loopback\n"
            + "fe00::0\tip6-localnet\n"
            + "fe00::0\tip6-mcastprefix\n"
            + "fe00::1\tip6-allnodes\n"
            + "fe00::2\tip6-allrouters\n";

    private final Path hostResolvConf;
    private final Path hostHosts;

    public SandboxFiles() {
        this(Path.of("/etc/resolv.conf"), Path.of("/etc/hosts"));
    }

    /** @param hostResolvConf copied when the pod gives no DNS settings; hostHosts copied for host-network pods. */
    public SandboxFiles(Path hostResolvConf, Path hostHosts) {
        this.hostResolvConf = hostResolvConf;
        this.hostHosts = hostHosts;
    }

    /**
     * Writes all three files into {@code sandboxDir} (created if missing).
     *
     * @param hostname    the pod's hostname (for host-network pods, the node's)
     * @param hostNetwork the pod uses the node's network: {@code hosts} is a copy of the node's
     * @param podIp       the pod's IP (RunPodSandbox writes the files once the network is attached)
     * @param dns         the pod's DNS settings; empty or null copies the node's resolv.conf
     */
    public SandboxFilePaths write(Path sandboxDir, String hostname, boolean hostNetwork, Optional<String> podIp,
            DnsSettings dns) {
        SandboxFilePaths paths = SandboxFilePaths.in(sandboxDir);
        writeHostname(paths, hostname);
        writeHosts(paths, hostname, hostNetwork, podIp);
        writeResolvConf(paths, dns);
        return paths;
    }

    /** Gives the three files to a pod's own root (host ids of its user namespace's root). */
    public void chown(SandboxFilePaths paths, long uid, long gid) {
        for (Path file : List.of(paths.hostname(), paths.hosts(), paths.resolvConf())) {
            try {
                Files.setAttribute(file, "unix:uid", (int) uid);
                Files.setAttribute(file, "unix:gid", (int) gid);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot chown " + file, e);
            }
        }
    }

    public void writeHostname(SandboxFilePaths paths, String hostname) {
        write(paths.hostname(), hostname == null || hostname.isBlank() ? "" : hostname + "\n");
    }

    public void writeHosts(SandboxFilePaths paths, String hostname, boolean hostNetwork, Optional<String> podIp) {
        if (hostNetwork) {
            write(paths.hosts(), readOrEmpty(hostHosts));
            return;
        }
        StringBuilder hosts = new StringBuilder(LOCALHOST_LINES);
        if (podIp.isPresent() && hostname != null && !hostname.isBlank()) {
            checkNoNewline(podIp.get(), "pod IP");
            hosts.append(podIp.get()).append('\t').append(hostname).append('\n');
        }
        write(paths.hosts(), hosts.toString());
    }

    public void writeResolvConf(SandboxFilePaths paths, DnsSettings dns) {
        write(paths.resolvConf(), dns == null || dns.isEmpty() ? readOrEmpty(hostResolvConf) : render(dns));
    }

    /** resolv.conf text for explicit DNS settings. */
    public static String render(DnsSettings dns) {
        StringBuilder out = new StringBuilder();
        if (!dns.searches().isEmpty()) {
            dns.searches().forEach(s -> checkNoNewline(s, "DNS search"));
            out.append("search ").append(String.join(" ", dns.searches())).append('\n');
        }
        for (String server : dns.servers()) {
            checkNoNewline(server, "DNS server");
            out.append("nameserver ").append(server).append('\n');
        }
        if (!dns.options().isEmpty()) {
            dns.options().forEach(s -> checkNoNewline(s, "DNS option"));
            out.append("options ").append(String.join(" ", dns.options())).append('\n');
        }
        return out.toString();
    }

    private static void write(Path file, String content) {
        AtomicFiles.replace(file, content.getBytes(StandardCharsets.UTF_8));
        try {
            // AtomicFiles creates with the umask; containers running as non-root must read these.
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot chmod " + file, e);
        }
    }

    private static String readOrEmpty(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void checkNoNewline(String value, String what) {
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            throw BerthException.invalidArgument(what + " contains a line break");
        }
    }
}
