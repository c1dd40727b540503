package dev.berth.testing.image;

/**
 * Hostile layers for extraction-safety tests. Each tries to write outside the layer directory; a safe extractor
 * refuses the layer (or the entry) and leaves nothing outside. Entries are written verbatim (see
 * {@link LayerEntry#asRaw()}).
 */
public final class MaliciousLayers {

    /** What every escaping file says, so a test can grep the host for it. */
    public static final String PAYLOAD = "berth-escape-payload\n";

    private MaliciousLayers() {
    }

    /** A file named {@code ../escape} (and {@code a/../../escape-nested}). */
    public static Layer dotDotEscape(Compression compression) {
        return LayerBuilder.create()
                .raw(LayerEntry.file("../escape", PAYLOAD, 0644))
                .raw(LayerEntry.file("a/../../escape-nested", PAYLOAD, 0644))
                .build(compression);
    }

    /** A file with an absolute name, {@code /etc/berth-absolute-escape}. */
    public static Layer absolutePath(Compression compression) {
        return LayerBuilder.create()
                .raw(LayerEntry.file("/etc/berth-absolute-escape", PAYLOAD, 0644))
                .build(compression);
    }

    /** {@code link -> /}, then {@code link/etc/berth-symlink-escape} written through it. */
    public static Layer symlinkEscape(Compression compression) {
        return LayerBuilder.create()
                .raw(LayerEntry.symlink("link", "/"))
                .raw(LayerEntry.file("link/etc/berth-symlink-escape", PAYLOAD, 0644))
                .build(compression);
    }

    /** The same through a relative link: {@code up -> ../../../../..}, then {@code up/berth-relative-escape}. */
    public static Layer relativeSymlinkEscape(Compression compression) {
        return LayerBuilder.create()
                .raw(LayerEntry.symlink("up", "../../../../../../../.."))
                .raw(LayerEntry.file("up/tmp/berth-relative-escape", PAYLOAD, 0644))
                .build(compression);
    }

    /** A hard link {@code hl -> ../../outside}. */
    public static Layer hardlinkEscape(Compression compression) {
        return LayerBuilder.create()
                .raw(LayerEntry.hardlink("hl", "../../outside"))
                .build(compression);
    }

    /** A hard link {@code hl-abs -> /etc/passwd}: linking a host file into the layer. */
    public static Layer absoluteHardlink(Compression compression) {
        return LayerBuilder.create()
                .raw(LayerEntry.hardlink("hl-abs", "/etc/passwd"))
                .build(compression);
    }
}
