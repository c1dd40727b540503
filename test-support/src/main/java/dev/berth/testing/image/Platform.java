package dev.berth.testing.image;

import java.util.Objects;

/** An image platform; {@code variant} is empty when the architecture has none (amd64). */
public record Platform(String os, String architecture, String variant) {

    public static final Platform LINUX_AMD64 = new Platform("linux", "amd64", "");
    public static final Platform LINUX_ARM64_V8 = new Platform("linux", "arm64", "v8");
    public static final Platform LINUX_ARM_V7 = new Platform("linux", "arm", "v7");

    public Platform {
        Objects.requireNonNull(os);
        Objects.requireNonNull(architecture);
        variant = variant == null ? "" : variant;
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
    }
}
