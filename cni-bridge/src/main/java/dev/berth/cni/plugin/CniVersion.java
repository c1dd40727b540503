package dev.berth.cni.plugin;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** CNI spec versions: what berth speaks, and the comparisons that decide which commands and fields apply. */
record CniVersion(int major, int minor, int patch) implements Comparable<CniVersion> {

    static final CniVersion V0_4_0 = new CniVersion(0, 4, 0);
    static final CniVersion V1_1_0 = new CniVersion(1, 1, 0);
    static final List<String> SUPPORTED = List.of("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0");

    private static final Comparator<CniVersion> ORDER = Comparator.comparingInt(CniVersion::major)
            .thenComparingInt(CniVersion::minor).thenComparingInt(CniVersion::patch);

    static CniVersion parse(String text) {
        String[] parts = text.strip().split("\\.");
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a CNI version: " + text);
        }
        try {
            return new CniVersion(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a CNI version: " + text, e);
        }
    }

    static boolean isSupported(String text) {
        return SUPPORTED.contains(text.strip());
    }

    /** The highest of the offered versions berth speaks (a 1.1 config's {@code cniVersions}). */
    static Optional<String> highestSupported(Collection<String> offered) {
        return offered.stream().filter(CniVersion::isSupported).max(Comparator.comparing(CniVersion::parse));
    }

    boolean atLeast(CniVersion other) {
        return compareTo(other) >= 0;
    }

    @Override
    public int compareTo(CniVersion other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
