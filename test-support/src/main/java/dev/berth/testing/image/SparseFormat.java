package dev.berth.testing.image;

import java.util.List;

/** The ways GNU tar stores a sparse file, with the options that make {@code tar} (1.34) write each. */
public enum SparseFormat {
    /** Type {@code 'S'} headers with the map in the header and extension blocks. */
    OLD_GNU(List.of("--format=gnu", "--sparse")),
    /** PAX, repeated {@code GNU.sparse.offset} / {@code GNU.sparse.numbytes} records. */
    PAX_0_0(List.of("--format=posix", "--sparse-version=0.0")),
    /** PAX, one {@code GNU.sparse.map} record. */
    PAX_0_1(List.of("--format=posix", "--sparse-version=0.1")),
    /** PAX, the map at the start of the entry's data (GNU tar's default for POSIX archives). */
    PAX_1_0(List.of("--format=posix", "--sparse-version=1.0"));

    private final List<String> tarOptions;

    SparseFormat(List<String> tarOptions) {
        this.tarOptions = tarOptions;
    }

    public List<String> tarOptions() {
        return tarOptions;
    }
}
