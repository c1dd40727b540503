package dev.berth.testing.image;

import java.util.List;

/** The paths a canned image must show after its layers are merged, and the paths its whiteouts must hide. */
public record ExpectedTree(List<ExpectedPath> present, List<String> absent) {

    public ExpectedTree {
        present = List.copyOf(present);
        absent = List.copyOf(absent);
    }
}
