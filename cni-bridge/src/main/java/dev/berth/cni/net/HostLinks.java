package dev.berth.cni.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Cheap facts about the JVM's own network namespace, read from sysfs and procfs instead of spawning {@code ip}:
 * existence checks sit on the attach and detach paths.
 */
public final class HostLinks {

    private static final int FALLBACK_MTU = 1500;

    private final Path sysClassNet;
    private final Path procNetRoute;

    public HostLinks() {
        this(Path.of("/sys/class/net"), Path.of("/proc/net/route"));
    }

    HostLinks(Path sysClassNet, Path procNetRoute) {
        this.sysClassNet = sysClassNet;
        this.procNetRoute = procNetRoute;
    }

    public boolean exists(String link) {
        return Files.exists(sysClassNet.resolve(link));
    }

    public boolean isBridge(String link) {
        return Files.isDirectory(sysClassNet.resolve(link).resolve("bridge"));
    }

    /** The links enslaved to a bridge; empty when the bridge does not exist. */
    public List<String> bridgePorts(String bridge) {
        Path dir = sysClassNet.resolve(bridge).resolve("brif");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> ports = Files.list(dir)) {
            return ports.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The link's alias ({@code ip link set … alias}), "" when none or when the link is gone. */
    public String alias(String link) {
        try {
            return Files.readString(sysClassNet.resolve(link).resolve("ifalias"), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** The MTU of the interface holding the IPv4 default route, or 1500 when there is none. */
    public int defaultRouteMtu() {
        try {
            for (String line : Files.readAllLines(procNetRoute, StandardCharsets.US_ASCII)) {
                String[] fields = line.trim().split("\\s+");
                // Iface Destination Gateway Flags RefCnt Use Metric Mask ...
                if (fields.length > 7 && fields[1].equals("00000000") && fields[7].equals("00000000")) {
                    return mtu(fields[0]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + procNetRoute, e);
        }
        return FALLBACK_MTU;
    }

    private int mtu(String link) {
        try {
            return Integer.parseInt(Files.readString(sysClassNet.resolve(link).resolve("mtu")).strip());
        } catch (IOException | NumberFormatException e) {
            return FALLBACK_MTU;
        }
    }
}
