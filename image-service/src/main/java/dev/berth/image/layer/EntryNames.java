package dev.berth.image.layer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Splits tar entry names into path components and refuses those that could leave the layer directory: any
 * {@code ..} component. A leading {@code /} names the layer's root, as Docker and containerd read such layers
 * ({@code /etc/x} is {@code etc/x}); {@code .} components, repeated and trailing slashes are dropped
 * ({@code ./usr//bin/} is {@code usr/bin}).
 */
public final class EntryNames {

    private EntryNames() {
    }

    /** The components, or empty when the name is unsafe; an empty list means the layer root itself. */
    public static Optional<List<String>> split(String name) {
        if (name.indexOf('\0') >= 0) {
            return Optional.empty();
        }
        List<String> parts = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                return Optional.empty();
            }
            parts.add(part);
        }
        return Optional.of(parts);
    }
}
