package dev.berth.testing.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * net.ipv4.ip_forward, which a gateway bridge (CNI bridge with isGateway, berth's built-in one) turns on for the
 * whole node. A bench or test run remembers the value it found and puts it back, so it leaves the host as it was.
 */
public record IpForwarding(String before) {

    private static final Path FILE = Path.of("/proc/sys/net/ipv4/ip_forward");

    public static IpForwarding snapshot() {
        return new IpForwarding(read());
    }

    /**
     * Restores the value seen at snapshot time; returns a note when it had changed. Forwarding stays on while any
     * other bridge exists: someone else's pod network (a test running alongside) may rely on it by now.
     *
     * @param ownBridges bridges of the run itself, which do not count as someone else's
     */
    public String restore(List<String> ownBridges) {
        String now = read();
        if (now.equals(before)) {
            return "";
        }
        List<String> others = bridges().stream().filter(b -> !ownBridges.contains(b)).toList();
        if (!others.isEmpty()) {
            return "left net.ipv4.ip_forward at " + now + " (was " + before + "): bridges " + others
                    + " are not this run's";
        }
        try {
            Files.writeString(FILE, before, StandardCharsets.US_ASCII);
            return "restored net.ipv4.ip_forward " + now + " -> " + before;
        } catch (IOException e) {
            return "cannot restore net.ipv4.ip_forward to " + before + ": " + e.getMessage();
        }
    }

    /** The node's bridges: the links with a {@code bridge} directory in sysfs. */
    static List<String> bridges() {
        try (Stream<Path> links = Files.list(Path.of("/sys/class/net"))) {
            return links.filter(link -> Files.isDirectory(link.resolve("bridge")))
                    .map(link -> link.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list /sys/class/net", e);
        }
    }

    private static String read() {
        try {
            return Files.readString(FILE, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + FILE, e);
        }
    }
}
