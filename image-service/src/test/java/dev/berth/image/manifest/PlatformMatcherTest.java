package dev.berth.image.manifest;

import dev.berth.image.Platform;
import dev.berth.image.content.Digest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlatformMatcherTest {

    private static Descriptor entry(int n, String os, String arch, String variant) {
        return new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256(new byte[] {(byte) n}), 1,
                Optional.of(new Platform(os, arch, variant)), Map.of());
    }

    @Test
    void selectsLinuxAmd64AmongOthers() {
        List<Descriptor> entries = List.of(entry(1, "linux", "arm64", "v8"), entry(2, "linux", "arm", "v7"),
                entry(3, "windows", "amd64", ""), entry(4, "linux", "amd64", ""), entry(5, "unknown", "unknown", ""));
        assertEquals(entries.get(3), new PlatformMatcher(Platform.linuxAmd64()).select(entries).orElseThrow());
    }

    @Test
    void honoursVariants() {
        List<Descriptor> entries = List.of(entry(1, "linux", "amd64", "v3"), entry(2, "linux", "amd64", "v2"),
                entry(3, "linux", "amd64", ""));
        assertEquals(entries.get(2), new PlatformMatcher(Platform.linuxAmd64()).select(entries).orElseThrow());
        assertEquals(entries.get(1), new PlatformMatcher(new Platform("linux", "amd64", "v2")).select(entries)
                .orElseThrow());
        assertEquals(entries.get(0), new PlatformMatcher(new Platform("linux", "amd64", "v4")).select(entries)
                .orElseThrow());
        assertTrue(new PlatformMatcher(Platform.linuxAmd64()).select(List.of(entries.get(0))).isEmpty());
        List<Descriptor> arm = List.of(entry(1, "linux", "arm", "v6"), entry(2, "linux", "arm", "v7"),
                entry(3, "linux", "arm", "v8"));
        assertEquals(arm.get(1), new PlatformMatcher(new Platform("linux", "arm", "v7")).select(arm).orElseThrow());
        assertEquals(arm.get(0), new PlatformMatcher(new Platform("linux", "arm", "v6")).select(arm).orElseThrow());
    }

    @Test
    void normalizesArchitectureAliases() {
        List<Descriptor> entries = List.of(entry(1, "linux", "x86_64", ""), entry(2, "linux", "aarch64", ""));
        assertEquals(entries.get(0), new PlatformMatcher(Platform.linuxAmd64()).select(entries).orElseThrow());
        assertEquals(entries.get(1), new PlatformMatcher(new Platform("linux", "arm64", "v8")).select(entries)
                .orElseThrow());
    }
}
