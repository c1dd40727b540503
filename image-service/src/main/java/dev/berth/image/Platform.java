package dev.berth.image;

/**
 * The platform an image index is resolved for. {@code variant} may be empty; for amd64 an empty variant accepts
 * entries without a variant or with {@code v1}, and {@code vN} accepts {@code v1}…{@code vN} (best first).
 */
public record Platform(String os, String architecture, String variant) {

    public Platform {
        variant = variant == null ? "" : variant;
    }

    public static Platform linuxAmd64() {
        return new Platform("linux", "amd64", "");
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
    }
}
