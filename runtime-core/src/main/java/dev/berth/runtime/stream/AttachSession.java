package dev.berth.runtime.stream;

import dev.berth.common.error.BerthException;
import dev.berth.runtime.container.AttachTarget;
import dev.berth.runtime.host.sys.SeqPacketSocket;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attacher of a running container: its own connection to the container's conmon attach socket (conmon sends
 * the output to every connection and takes stdin from each). Closing it detaches; conmon then closes the
 * container's stdin only if the container was made with stdin_once.
 */
final class AttachSession implements Session {

    private static final Logger LOG = LoggerFactory.getLogger(AttachSession.class);

    private final AttachStreams streams;
    private final boolean tty;
    private final BiConsumer<Integer, Integer> resizer;

    AttachSession(AttachTarget target, StdioRequest stdio, BiConsumer<Integer, Integer> resizer) {
        this.tty = target.tty();
        this.resizer = resizer;
        this.streams = new AttachStreams(SeqPacketSocket.connect(target.socket()), stdio.stdin() && target.stdin(),
                stdio.stdout(), stdio.stderr() && !target.tty(), AttachStreams.StdinEnd.HALF_CLOSE, "attach-io");
    }

    @Override
    public OutputStream stdin() {
        return streams.stdin();
    }

    @Override
    public InputStream stdout() {
        return streams.stdout();
    }

    @Override
    public InputStream stderr() {
        return streams.stderr();
    }

    @Override
    public void resize(int width, int height) {
        if (!tty) {
            return;
        }
        try {
            resizer.accept(height, width);
        } catch (BerthException e) {
            LOG.debug("event=attach_resize_failed error=\"{}\"", e.getMessage());
        }
    }

    @Override
    public int awaitExit() throws InterruptedException {
        streams.awaitEnd();
        return -1;
    }

    @Override
    public void close() {
        streams.close();
    }
}
