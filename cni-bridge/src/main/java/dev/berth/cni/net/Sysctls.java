package dev.berth.cni.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Kernel settings under /proc/sys, written only when they differ (a write can have side effects). */
public final class Sysctls {

    private final Path root;

    public Sysctls() {
        this(Path.of("/proc/sys"));
    }

    Sysctls(Path root) {
        this.root = root;
    }

    /** Sets {@code net/ipv4/ip_forward}-style keys (slashes, so link names with dots stay intact). */
    public void ensure(String key, String value) {
        Path file = root.resolve(key);
        try {
            if (Files.readString(file, StandardCharsets.US_ASCII).strip().equals(value)) {
                return;
            }
            Files.writeString(file, value, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set " + file + " to " + value, e);
        }
    }

    public boolean exists(String key) {
        return Files.exists(root.resolve(key));
    }
}
