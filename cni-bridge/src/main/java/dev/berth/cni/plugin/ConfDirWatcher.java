package dev.berth.cni.plugin;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the conf dir (inotify through {@link WatchService}) and calls back on any change, so readiness follows a
 * config list appearing or going without polling the files. If the dir itself is removed, the watcher waits for it
 * to come back.
 */
final class ConfDirWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConfDirWatcher.class);

    private final Path dir;
    private final Runnable onChange;
    private final WatchService watchService;
    private final Thread thread;
    private volatile boolean running = true;

    ConfDirWatcher(Path dir, Runnable onChange) {
        this.dir = dir;
        this.onChange = onChange;
        try {
            this.watchService = FileSystems.getDefault().newWatchService();
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a watch service", e);
        }
        this.thread = new Thread(this::loop, "berth-cni-confdir");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        WatchKey key = null;
        while (running) {
            try {
                if (key == null || !key.isValid()) {
                    key = register();
                    if (key != null) {
                        onChange.run();
                    }
                }
                WatchKey signalled = watchService.poll(1, TimeUnit.SECONDS);
                if (signalled == null) {
                    continue;
                }
                signalled.pollEvents();
                if (!signalled.reset()) {
                    key = null;
                }
                onChange.run();
            } catch (ClosedWatchServiceException | InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("conf dir reload failed dir={} error={}", dir, e.getMessage());
            }
        }
    }

    private WatchKey register() {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try {
            return dir.register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException e) {
            LOG.warn("cannot watch conf dir dir={} error={}", dir, e.getMessage());
            return null;
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            watchService.close();
        } catch (IOException e) {
            // closing a watch service only releases the inotify fd
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
