package dev.berth.image.manifest;

/** A manifest document berth understands: either an index of platforms or one image. */
public sealed interface ParsedManifest permits ImageIndex, ImageManifest {

    String mediaType();
}
