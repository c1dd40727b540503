package dev.berth.runtime.host.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The capabilities containers on this node can have: the daemon's own bounding set. The OCI runtime runs as root
 * below the daemon and cannot grant a capability outside it (runc fails "unable to apply caps"), so a request for
 * "all" capabilities, or a privileged container, means this set rather than every capability the kernel knows.
 *
 * @param capabilities names in capability-number order
 */
public record BoundingSet(List<String> capabilities) {

    private static final Logger LOG = LoggerFactory.getLogger(BoundingSet.class);

    public BoundingSet {
        capabilities = List.copyOf(capabilities);
    }

    /** This process's bounding set, from /proc/self/status; every known capability if that cannot be read. */
    public static BoundingSet ofThisProcess() {
        BoundingSet set;
        try {
            set = fromStatus(Files.readString(Path.of("/proc/self/status")));
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("event=bounding_set_unreadable error=\"{}\"", e.getMessage());
            return new BoundingSet(LinuxCapabilities.KNOWN);
        }
        List<String> missing = LinuxCapabilities.KNOWN.stream().filter(c -> !set.contains(c)).toList();
        if (!missing.isEmpty()) {
            LOG.info("event=capabilities_unavailable reason=not_in_bounding_set capabilities={}", missing);
        }
        return set;
    }

    /** The set in the {@code CapBnd} line of a /proc/PID/status text. */
    public static BoundingSet fromStatus(String procStatus) {
        for (String line : procStatus.split("\n")) {
            if (line.startsWith("CapBnd:")) {
                return fromMask(Long.parseUnsignedLong(line.substring("CapBnd:".length()).strip(), 16));
            }
        }
        throw new IllegalArgumentException("no CapBnd line in the process status");
    }

    /** Bit n set = capability number n. Bits of capabilities newer than berth knows are left out: nobody names them. */
    public static BoundingSet fromMask(long mask) {
        List<String> names = new ArrayList<>();
        for (int bit = 0; bit < LinuxCapabilities.KNOWN.size(); bit++) {
            if ((mask & (1L << bit)) != 0) {
                names.add(LinuxCapabilities.KNOWN.get(bit));
            }
        }
        return new BoundingSet(names);
    }

    public boolean contains(String capability) {
        return capabilities.contains(capability);
    }
}
