package dev.berth.image.manifest;

import dev.berth.image.Platform;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Picks the index entry for the node's platform. OS and architecture must match (after normalizing aliases such as
 * {@code x86_64}); the variant must be compatible: an exact match wins, then the highest older variant of the same
 * family (amd64 v1…v4, arm v5…v8), then an entry without a variant.
 */
public final class PlatformMatcher {

    private final Platform wanted;

    public PlatformMatcher(Platform wanted) {
        this.wanted = normalize(wanted);
    }

    /** The best entry for the wanted platform; the first one wins among equally good entries. */
    public Optional<Descriptor> select(List<Descriptor> entries) {
        Descriptor best = null;
        int bestScore = -1;
        for (Descriptor d : entries) {
            if (d.platform().isEmpty()) {
                continue;
            }
            int s = score(d.platform().get());
            if (s > bestScore) {
                best = d;
                bestScore = s;
            }
        }
        return Optional.ofNullable(best);
    }

    /** -1 = unusable; higher is better. */
    int score(Platform candidate) {
        Platform c = normalize(candidate);
        if (!c.os().equals(wanted.os()) || !c.architecture().equals(wanted.architecture())) {
            return -1;
        }
        int wantedLevel = level(wanted.variant());
        int level = level(c.variant());
        if (c.variant().equals(wanted.variant())) {
            return 1000;
        }
        if (level >= 0 && wantedLevel >= 0 && level <= wantedLevel) {
            return 100 + level;
        }
        if (c.variant().isEmpty()) {
            return 10;
        }
        return -1;
    }

    /** Numeric level of {@code vN}; an empty variant counts as the family's baseline. */
    private int level(String variant) {
        if (variant.isEmpty()) {
            return baseline();
        }
        if (variant.length() >= 2 && variant.charAt(0) == 'v') {
            try {
                return Integer.parseInt(variant.substring(1));
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    private int baseline() {
        return switch (wanted.architecture()) {
            case "amd64" -> 1;
            case "arm64" -> 8;
            case "arm" -> 7;
            default -> 0;
        };
    }

    static Platform normalize(Platform p) {
        String os = p.os().toLowerCase(Locale.ROOT);
        String arch = p.architecture().toLowerCase(Locale.ROOT);
        String variant = p.variant().toLowerCase(Locale.ROOT);
        switch (arch) {
            case "x86_64", "x86-64" -> arch = "amd64";
            case "aarch64" -> arch = "arm64";
            case "armhf" -> {
                arch = "arm";
                variant = variant.isEmpty() ? "v7" : variant;
            }
            case "armel" -> {
                arch = "arm";
                variant = variant.isEmpty() ? "v6" : variant;
            }
            default -> {
            }
        }
        if (arch.equals("amd64") && variant.equals("v1")) {
            variant = "";
        }
        if (arch.equals("arm64") && variant.equals("v8")) {
            variant = "";
        }
        return new Platform(os, arch, variant);
    }
}
