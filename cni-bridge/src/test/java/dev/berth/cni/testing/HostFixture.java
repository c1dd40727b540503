package dev.berth.cni.testing;

import dev.berth.common.exec.Command;
import dev.berth.common.exec.CommandResult;
import dev.berth.common.fs.MountTable;
import dev.berth.common.fs.Trees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Host resources a test creates, with names no other test (or the real default network) uses, all removed on
 * {@link #close()} in reverse order of creation, whether the test passed or not.
 */
public final class HostFixture implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Path NETNS_DIR = Path.of("/run/netns");

    private final Deque<Runnable> cleanups = new ArrayDeque<>();
    private final List<String> netnsNames = new ArrayList<>();
    private final List<String> bridges = new ArrayList<>();
    private final String tag = hex(3);

    /** A random tag for this fixture's names (6 hex digits). */
    public String tag() {
        return tag;
    }

    public static String hex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    public static int randomInt(int bound) {
        return RANDOM.nextInt(bound);
    }

    /** A 64-hex-digit sandbox ID, like the ones runtime-core makes. */
    public static String sandboxId() {
        return hex(32);
    }

    /** A random /24 in 10.200.0.0 – 10.254.255.0, unlikely to clash with anything on the host. */
    public static String randomSubnetV4() {
        return "10." + (200 + RANDOM.nextInt(55)) + "." + RANDOM.nextInt(256) + ".0/24";
    }

    /** A random /64 in fd00::/8 (not fd00::/64, which this host's eth0 uses). */
    public static String randomSubnetV6() {
        return "fd" + hex(1) + ":" + hex(2) + ":" + hex(2) + ":" + hex(2) + "::/64";
    }

    /** A bridge name unique to this fixture: bt + tag + suffix (at most 15 characters). */
    public String bridgeName(String suffix) {
        String name = "bt" + tag + suffix;
        bridges.add(name);
        cleanups.push(() -> Command.of("ip", "link", "del", name).run());
        return name;
    }

    /** Removes the nft table when the fixture closes (the network under test owns it). */
    public void ownNftTable(String table) {
        cleanups.push(() -> Command.of("nft", "delete", "table", "inet", table).run());
    }

    public Path tempDir(String prefix) {
        try {
            Path dir = Files.createTempDirectory("berth-cni-" + prefix + "-");
            cleanups.push(() -> Trees.deleteRecursively(dir));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A network namespace pinned at /run/netns/NAME (what {@code ip netns add} makes: a bind-mounted nsfs file). */
    public Path netns(String suffix) {
        if (!MountTable.current().isMountPoint(NETNS_DIR)) {
            // ip makes /run/netns a mount point of its own on first use and never undoes it; pushed first, this
            // runs after this fixture's namespaces are gone, and only if no one else's remain.
            cleanups.push(HostFixture::unmountEmptyNetnsDir);
        }
        String name = "berthtest-" + tag + "-" + suffix;
        Command.of("ip", "netns", "add", name).check();
        netnsNames.add(name);
        cleanups.push(() -> deleteNetns(name));
        return Path.of("/run/netns", name);
    }

    private static void unmountEmptyNetnsDir() {
        try (var entries = Files.list(NETNS_DIR)) {
            if (entries.findAny().isEmpty() && MountTable.current().isMountPoint(NETNS_DIR)) {
                // Lazily: a process of the test that was just killed may still hold it for a moment.
                Command.of("umount", "-l", NETNS_DIR.toString()).run();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void deleteNetns(Path pin) {
        deleteNetns(pin.getFileName().toString());
    }

    private void deleteNetns(String name) {
        Command.of("ip", "netns", "del", name).run();
    }

    /** The netns this fixture made that still exist. */
    public List<String> liveNetns() {
        return netnsNames.stream().filter(n -> Files.exists(Path.of("/run/netns", n))).toList();
    }

    /** Starts a long-running process this test owns; it is killed by PID on close. */
    public Process start(String... argv) {
        try {
            Process process = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            cleanups.push(() -> kill(process));
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Serves {@code body} as /index.html with busybox httpd inside the netns; returns once it answers. */
    public Process httpServer(Path netns, String listen, String body, String probeUrl) {
        Path root = tempDir("www");
        write(root.resolve("index.html"), body);
        Process server = start("nsenter", "--net=" + netns, "busybox", "httpd", "-f", "-p", listen, "-h",
                root.toString());
        awaitTrue(Duration.ofSeconds(10), () -> wget(netns, probeUrl, Duration.ofSeconds(2)).succeeded(), "httpd in " + netns + " answering " + probeUrl);
        return server;
    }

    /** Serves /cgi-bin/peer, which answers with the client address it sees (REMOTE_ADDR). */
    public Process peerEchoServer(Path netns, String listen, String probeUrl) {
        Path root = tempDir("cgi");
        write(root.resolve("index.html"), "up");
        Path script = root.resolve("cgi-bin").resolve("peer");
        write(script, "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n%s' \"$REMOTE_ADDR\"\n");
        try {
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Process server = start("nsenter", "--net=" + netns, "busybox", "httpd", "-f", "-p", listen, "-h",
                root.toString());
        awaitTrue(Duration.ofSeconds(10), () -> wget(netns, probeUrl, Duration.ofSeconds(2)).succeeded(), "peer echo server answering " + probeUrl);
        return server;
    }

    public static CommandResult inNetns(Path netns, String... argv) {
        List<String> full = new ArrayList<>(List.of("nsenter", "--net=" + netns));
        full.addAll(List.of(argv));
        return Command.of(full).withTimeout(Duration.ofSeconds(15)).run();
    }

    public static CommandResult onHost(String... argv) {
        return Command.of(argv).withTimeout(Duration.ofSeconds(15)).run();
    }

    /**
     * busybox wget from the netns (or the host when netns is null). No {@code -T}: busybox 1.35's wget crashes
     * with it; the command's own timeout bounds the wait.
     */
    public static CommandResult wget(Path netns, String url, Duration timeout) {
        List<String> argv = new ArrayList<>();
        if (netns != null) {
            argv.addAll(List.of("nsenter", "--net=" + netns));
        }
        argv.addAll(List.of("busybox", "wget", "-q", "-O", "-", url));
        try {
            return Command.of(argv).withTimeout(timeout).run();
        } catch (dev.berth.common.exec.CommandFailedException e) {
            return new CommandResult(-1, new byte[0], e.getMessage().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The body fetched from the netns (or the host when netns is null), or the failure as an assertion error. */
    public static String fetch(Path netns, String url) {
        CommandResult result = wget(netns, url, Duration.ofSeconds(5));
        if (!result.succeeded()) {
            throw new AssertionError("fetching " + url + (netns == null ? " from the host" : " from " + netns)
                    + " failed: " + result.stderrText());
        }
        return result.stdoutText();
    }

    public static void ping(Path netns, String address) {
        CommandResult result = inNetns(netns, "busybox", "ping", "-c", "1", "-W", "2", address);
        if (!result.succeeded()) {
            throw new AssertionError("ping " + address + " from " + netns + " failed: " + result.stdoutText()
                    + result.stderrText());
        }
    }

    /** Waits (bounded) for a condition that becomes true asynchronously; not a timing assertion. */
    public static void awaitTrue(Duration limit, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    public static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void onClose(Runnable cleanup) {
        cleanups.push(cleanup);
    }

    @Override
    public void close() {
        while (!cleanups.isEmpty()) {
            try {
                cleanups.pop().run();
            } catch (RuntimeException e) {
                System.err.println("fixture cleanup failed: " + e);
            }
        }
    }

    /** True when IPv6 works in new network namespaces on this host. */
    public static boolean ipv6Available() {
        try {
            return Files.exists(Path.of("/proc/sys/net/ipv6"))
                    && Files.readString(Path.of("/proc/sys/net/ipv6/conf/default/disable_ipv6")).strip().equals("0");
        } catch (IOException e) {
            return false;
        }
    }
}
