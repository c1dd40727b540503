package dev.berth.runtime.host.cgroup;

import java.util.Map;
import java.util.TreeMap;

/**
 * Bytes a cgroup read from and wrote to block devices, per device ({@code major:minor}); cumulative.
 */
public record IoBytes(Map<String, Device> devices) {

    /** Cumulative bytes of one device. */
    public record Device(long readBytes, long writeBytes) {
    }

    public IoBytes {
        devices = Map.copyOf(devices);
    }

    /**
     * cgroup v1 {@code blkio.throttle.io_service_bytes_recursive}: lines {@code 8:0 Read 4096}; the "Total" lines
     * (and the file's last line, a grand total) are skipped.
     */
    public static IoBytes parseBlkio(String content) {
        Map<String, long[]> sums = new TreeMap<>();
        for (String line : content.split("\n")) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length != 3 || !fields[0].contains(":")) {
                continue;
            }
            int slot = switch (fields[1]) {
                case "Read" -> 0;
                case "Write" -> 1;
                default -> -1;
            };
            if (slot < 0) {
                continue;
            }
            try {
                sums.computeIfAbsent(fields[0], d -> new long[2])[slot] += Long.parseLong(fields[2]);
            } catch (NumberFormatException ignored) {
                // a malformed line is not a count
            }
        }
        return of(sums);
    }

    /** cgroup v2 {@code io.stat}: lines {@code 8:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0}. */
    public static IoBytes parseIoStat(String content) {
        Map<String, long[]> sums = new TreeMap<>();
        for (String line : content.split("\n")) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length < 2 || !fields[0].contains(":")) {
                continue;
            }
            long[] device = sums.computeIfAbsent(fields[0], d -> new long[2]);
            for (int i = 1; i < fields.length; i++) {
                try {
                    if (fields[i].startsWith("rbytes=")) {
                        device[0] = Long.parseLong(fields[i].substring("rbytes=".length()));
                    } else if (fields[i].startsWith("wbytes=")) {
                        device[1] = Long.parseLong(fields[i].substring("wbytes=".length()));
                    }
                } catch (NumberFormatException ignored) {
                    // a malformed field is not a count
                }
            }
        }
        return of(sums);
    }

    private static IoBytes of(Map<String, long[]> sums) {
        Map<String, Device> devices = new TreeMap<>();
        sums.forEach((device, rw) -> devices.put(device, new Device(rw[0], rw[1])));
        return new IoBytes(devices);
    }
}
