package dev.berth.testing.image;

import java.util.Objects;

/**
 * A layer generated while it is uploaded, never held in memory: for images of hundreds of megabytes. The content
 * must be deterministic; digests are known only after the upload. Mark random content {@code incompressible} to
 * skip futile compression effort (see {@link Compression#compress(java.io.OutputStream, boolean)}).
 */
public record StreamedLayer(Compression compression, TarContent content, boolean incompressible)
        implements LayerSource {

    public StreamedLayer {
        Objects.requireNonNull(compression);
        Objects.requireNonNull(content);
    }

    public StreamedLayer(Compression compression, TarContent content) {
        this(compression, content, false);
    }
}
