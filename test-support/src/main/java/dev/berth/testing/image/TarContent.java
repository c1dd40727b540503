package dev.berth.testing.image;

import java.io.IOException;

/** Writes a layer's entries; called once per build or upload, so it must write the same entries every time. */
@FunctionalInterface
public interface TarContent {

    void writeTo(TarWriter tar) throws IOException;
}
