package dev.berth.bench.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * net.ipv4.ip_forward, which a gateway bridge (CNI bridge with isGateway, berth's built-in one) turns on for the
 * whole node. The bench remembers the value it found and puts it back, so a run leaves the host as it was.
 */
public record IpForwarding(String before) {

    private static final Path FILE = Path.of("/proc/sys/net/ipv4/ip_forward");

    public static IpForwarding snapshot() {
        return new IpForwarding(read());
    }

    /**
     * Restores the value seen at snapshot time; returns a note when it had changed. Forwarding stays on while any
     * other bridge exists: someone else's pod network (a test running alongside) may rely on it by now.
     */
    public String restore(List<String> benchBridges) {
        String now = read();
        if (now.equals(before)) {
            return "";
        }
        List<String> others = Links.bridges().stream().filter(b -> !benchBridges.contains(b)).toList();
        if (!others.isEmpty()) {
            return "left net.ipv4.ip_forward at " + now + " (was " + before + "): bridges " + others
                    + " are not the bench's";
        }
        try {
            Files.writeString(FILE, before, StandardCharsets.US_ASCII);
            return "restored net.ipv4.ip_forward " + now + " -> " + before;
        } catch (IOException e) {
            return "cannot restore net.ipv4.ip_forward to " + before + ": " + e.getMessage();
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
