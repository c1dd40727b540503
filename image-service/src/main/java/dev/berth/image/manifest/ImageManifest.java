package dev.berth.image.manifest;

import java.util.List;

/** An OCI image manifest or a Docker schema 2 manifest: a config plus layers, base first. */
public record ImageManifest(String mediaType, Descriptor config, List<Descriptor> layers) implements ParsedManifest {

    public ImageManifest {
        layers = List.copyOf(layers);
    }
}
