package dev.berth.cri.streaming;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.function.BiConsumer;

/**
 * The resize stream carries a sequence of JSON objects {@code {"Width":W,"Height":H}}, one after another with
 * optional whitespace, split across frames at any byte. This collects bytes until an object's braces balance (not
 * counting braces inside strings), then reports it. Objects that do not parse are skipped.
 */
final class ResizeDecoder implements InboundSink {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A size message is a few dozen bytes; anything this long is garbage and is dropped. */
    private static final int MAX_OBJECT = 4096;

    private final BiConsumer<Integer, Integer> onResize;
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();
    private int depth;
    private boolean inString;
    private boolean escaped;

    ResizeDecoder(BiConsumer<Integer, Integer> onResize) {
        this.onResize = onResize;
    }

    @Override
    public synchronized void data(byte[] bytes) {
        for (byte b : bytes) {
            if (depth == 0 && b != '{') {
                continue;
            }
            current.write(b);
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{') {
                depth++;
            } else if (b == '}' && --depth == 0) {
                emit(current.toByteArray());
                current.reset();
            }
            if (current.size() > MAX_OBJECT) {
                current.reset();
                depth = 0;
                inString = false;
            }
        }
    }

    private void emit(byte[] object) {
        try {
            JsonNode size = JSON.readTree(object);
            int width = size.path("Width").asInt(-1);
            int height = size.path("Height").asInt(-1);
            if (width >= 0 && height >= 0 && width <= 65535 && height <= 65535) {
                onResize.accept(width, height);
            }
        } catch (IOException e) {
            // Not a size; the stream goes on.
        }
    }

    @Override
    public void end() {
    }
}
