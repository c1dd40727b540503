package dev.berth.image.layer;

import java.io.IOException;

/** The layer is not a tar archive berth accepts; the content is bad, so trying again will not help. */
public final class TarFormatException extends IOException {

    public TarFormatException(String message) {
        super(message);
    }
}
