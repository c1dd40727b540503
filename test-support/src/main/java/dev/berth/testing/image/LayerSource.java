package dev.berth.testing.image;

/** A layer an {@link ImageBuilder} can push: built in memory ({@link Layer}) or generated while uploading. */
public sealed interface LayerSource permits Layer, StreamedLayer {

    Compression compression();
}
