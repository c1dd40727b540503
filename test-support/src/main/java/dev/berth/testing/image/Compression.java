package dev.berth.testing.image;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/** How a layer's tar is stored in the registry, with the media types each manifest format uses for it. */
public enum Compression {
    NONE("application/vnd.oci.image.layer.v1.tar", "application/vnd.docker.image.rootfs.diff.tar"),
    GZIP("application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.docker.image.rootfs.diff.tar.gzip"),
    /** Docker schema 2 has no zstd type; the Docker variant is the one containerd and moby accept. */
    ZSTD("application/vnd.oci.image.layer.v1.tar+zstd", "application/vnd.docker.image.rootfs.diff.tar.zstd");

    private final String ociMediaType;
    private final String dockerMediaType;

    Compression(String ociMediaType, String dockerMediaType) {
        this.ociMediaType = ociMediaType;
        this.dockerMediaType = dockerMediaType;
    }

    public String mediaType(ManifestFormat format) {
        return format == ManifestFormat.OCI ? ociMediaType : dockerMediaType;
    }

    /** Wraps a sink; closing the returned stream finishes the compressed frame and closes the sink. */
    public OutputStream compress(OutputStream sink) throws IOException {
        return compress(sink, false);
    }

    /**
     * As {@link #compress(OutputStream)}; {@code incompressible} content (random data) goes into stored deflate
     * blocks: still a valid gzip stream, at copy speed instead of ~30 MB/s of futile deflating.
     */
    public OutputStream compress(OutputStream sink, boolean incompressible) throws IOException {
        switch (this) {
            case NONE:
                return sink;
            case GZIP:
                int level = incompressible ? Deflater.NO_COMPRESSION : Deflater.BEST_SPEED;
                return new GZIPOutputStream(sink, 64 * 1024) {
                    {
                        def.setLevel(level);
                    }
                };
            case ZSTD:
                return new ZstdOutputStream(sink, 3);
            default:
                throw new IllegalStateException(name());
        }
    }
}
