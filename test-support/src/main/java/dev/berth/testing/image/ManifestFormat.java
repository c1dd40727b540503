package dev.berth.testing.image;

/** The two manifest families registries serve: OCI image-spec and Docker distribution schema 2. */
public enum ManifestFormat {
    OCI("application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json",
            "application/vnd.oci.image.config.v1+json"),
    DOCKER("application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.container.image.v1+json");

    private final String manifestMediaType;
    private final String indexMediaType;
    private final String configMediaType;

    ManifestFormat(String manifestMediaType, String indexMediaType, String configMediaType) {
        this.manifestMediaType = manifestMediaType;
        this.indexMediaType = indexMediaType;
        this.configMediaType = configMediaType;
    }

    public String manifestMediaType() {
        return manifestMediaType;
    }

    /** The OCI image index or the Docker manifest list type. */
    public String indexMediaType() {
        return indexMediaType;
    }

    public String configMediaType() {
        return configMediaType;
    }
}
