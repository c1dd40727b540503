package dev.berth.runtime.host.monitor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The two file operations every conmon flow needs: conmon creates none of its directories and leaves links behind. */
final class MonitorFs {

    private static final Logger LOG = LoggerFactory.getLogger(MonitorFs.class);

    private MonitorFs() {
    }

    static void createDirectories(Path... dirs) {
        for (Path dir : dirs) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + dir, e);
            }
        }
    }

    static void removeQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.debug("event=cleanup_failed path={} error=\"{}\"", path, e.getMessage());
        }
    }
}
