package dev.berth.runtime.stats;

import java.util.ArrayList;
import java.util.List;

/** Parses /proc/net/dev: two header lines, then {@code name: rx_bytes packets errs drop fifo frame compressed
 * multicast tx_bytes packets errs drop fifo colls carrier compressed}. */
public final class NetDev {

    private NetDev() {
    }

    /** Every interface in the file, in its order; malformed lines are skipped. */
    public static List<InterfaceCounters> parse(String content) {
        List<InterfaceCounters> interfaces = new ArrayList<>();
        for (String line : content.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).strip();
            String[] fields = line.substring(colon + 1).strip().split("\\s+");
            if (name.isEmpty() || fields.length < 16) {
                continue;
            }
            try {
                interfaces.add(new InterfaceCounters(name, Long.parseLong(fields[0]), Long.parseLong(fields[2]),
                        Long.parseLong(fields[8]), Long.parseLong(fields[10])));
            } catch (NumberFormatException ignored) {
                // not a counter line
            }
        }
        return interfaces;
    }
}
