package dev.berth.runtime.host.monitor;

import dev.berth.runtime.host.oci.OciRuntime;
import dev.berth.runtime.host.oci.OciState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports container exits from conmon's exit files: one inotify watch (WatchService) on the shared exit directory
 * for all containers, plus a slow liveness sweep of the conmon processes, because a conmon that dies never writes an
 * exit file. Each watch fires at most once, on a dedicated callback thread.
 */
public final class ExitWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ExitWatcher.class);
    private static final long SWEEP_SECONDS = 2;
    // conmon records an OOM kill from a separate event; give it a moment when the exit looks like one.
    private static final long OOM_GRACE_MILLIS = 200;
    private static final int SIGKILL_EXIT = 137;

    private final class Watch {
        final String containerId;
        final Path persistDir;
        final OciRuntime runtime;
        final Consumer<ContainerExit> listener;
        final ProcessHandle conmon;
        volatile ProcessHandle orphan;
        volatile boolean conmonGone;
        volatile boolean killedByBerth;

        Watch(String containerId, Path persistDir, OciRuntime runtime, Consumer<ContainerExit> listener,
                ProcessHandle conmon) {
            this.containerId = containerId;
            this.persistDir = persistDir;
            this.runtime = runtime;
            this.listener = listener;
            this.conmon = conmon;
        }
    }

    private final Path exitDir;
    private final WatchService service;
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    private final Thread watcherThread;
    private final ScheduledExecutorService scheduler;

    public ExitWatcher(Path exitDir) {
        this.exitDir = exitDir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.exitDir);
            this.service = FileSystems.getDefault().newWatchService();
            this.exitDir.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch " + exitDir, e);
        }
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "exit-watcher-callbacks");
            thread.setDaemon(true);
            return thread;
        });
        this.watcherThread = new Thread(this::loop, "exit-watcher");
        this.watcherThread.setDaemon(true);
        this.watcherThread.start();
        scheduler.scheduleWithFixedDelay(this::sweep, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Containers whose conmon was alive at the last liveness sweep (or since it was watched): no process is looked
     * at here, so a metrics scrape costs nothing per container.
     */
    public int monitorsAlive() {
        int alive = 0;
        for (Watch watch : watches.values()) {
            if (watch.conmon != null && !watch.conmonGone) {
                alive++;
            }
        }
        return alive;
    }

    /**
     * Calls {@code listener} once when the container exits. If it already exited (recovery), the listener fires right
     * away. {@code runtime} is asked only if conmon dies without an exit file.
     */
    public void watch(String containerId, Path persistDir, OciRuntime runtime, Consumer<ContainerExit> listener) {
        OptionalLong conmonPid = new MonitorFiles(persistDir).conmonPid();
        ProcessHandle conmon = conmonPid.isPresent() ? ProcessHandle.of(conmonPid.getAsLong()).orElse(null) : null;
        Watch watch = new Watch(containerId, persistDir, runtime, listener, conmon);
        watch.conmonGone = conmonPid.isPresent() && conmon == null;
        Watch previous = watches.put(containerId, watch);
        if (previous != null) {
            LOG.debug("event=exit_watch_replaced container={}", containerId);
        }
        // Registered first, then checked: an exit in between is seen by one of the two, and fire() dedupes.
        check(containerId, persistDir).ifPresent(exit -> fire(watch, exit));
        if (watch.conmonGone) {
            scheduler.execute(() -> checkMonitor(watch));
        }
    }

    public void unwatch(String containerId) {
        watches.remove(containerId);
    }

    /**
     * Says berth itself is about to SIGKILL the container, so an exit of 137 is that kill: it is delivered at once
     * rather than after the wait for a late OOM report (an OOM already recorded is still reported).
     */
    public void expectKill(String containerId) {
        Watch watch = watches.get(containerId);
        if (watch != null) {
            watch.killedByBerth = true;
        }
    }

    /** The container's recorded exit, if conmon wrote one. */
    public Optional<ContainerExit> check(String containerId, Path persistDir) {
        Path file = exitDir.resolve(containerId);
        try {
            String text = Files.readString(file).strip();
            if (text.isEmpty()) {
                return Optional.empty();
            }
            int code = Integer.parseInt(text);
            Instant finished = Files.getLastModifiedTime(file).toInstant();
            boolean oom = Files.exists(new MonitorFiles(persistDir).oomFile());
            return Optional.of(new ContainerExit(containerId, code, finished, oom, false));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | NumberFormatException e) {
            // half-written: the next MODIFY event brings the rest
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            LOG.debug("event=watch_service_close_failed error=\"{}\"", e.getMessage());
        }
        scheduler.shutdownNow();
        watcherThread.interrupt();
        watches.clear();
    }

    private void loop() {
        while (true) {
            WatchKey key;
            try {
                key = service.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            for (WatchEvent<?> event : key.pollEvents()) {
                if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                    watches.values().forEach(w -> check(w.containerId, w.persistDir).ifPresent(x -> fire(w, x)));
                    continue;
                }
                String name = event.context().toString();
                Watch watch = watches.get(name);
                if (watch != null) {
                    check(name, watch.persistDir).ifPresent(exit -> fire(watch, exit));
                }
            }
            if (!key.reset()) {
                LOG.error("event=exit_dir_watch_lost dir={}", exitDir);
                return;
            }
        }
    }

    private void fire(Watch watch, ContainerExit exit) {
        if (!watches.remove(watch.containerId, watch)) {
            return;
        }
        if (exit.exitCode() == SIGKILL_EXIT && !exit.oomKilled() && !exit.monitorLost() && !watch.killedByBerth) {
            scheduler.schedule(() -> deliver(watch, withLateOom(watch, exit)), OOM_GRACE_MILLIS,
                    TimeUnit.MILLISECONDS);
        } else {
            scheduler.execute(() -> deliver(watch, watch.killedByBerth ? withLateOom(watch, exit) : exit));
        }
    }

    private ContainerExit withLateOom(Watch watch, ContainerExit exit) {
        boolean oom = Files.exists(new MonitorFiles(watch.persistDir).oomFile());
        return oom ? new ContainerExit(exit.containerId(), exit.exitCode(), exit.finishedAt(), true, false) : exit;
    }

    private void deliver(Watch watch, ContainerExit exit) {
        LOG.info("event=container_exited container={} exit_code={} oom={} monitor_lost={}", exit.containerId(),
                exit.exitCode(), exit.oomKilled(), exit.monitorLost());
        try {
            watch.listener.accept(exit);
        } catch (RuntimeException e) {
            LOG.error("event=exit_listener_failed container={} error=\"{}\"", exit.containerId(), e.toString());
        }
    }

    private void sweep() {
        for (Watch watch : watches.values()) {
            try {
                if (watch.conmonGone || (watch.conmon != null && !watch.conmon.isAlive())) {
                    watch.conmonGone = true;
                    checkMonitor(watch);
                }
            } catch (RuntimeException e) {
                LOG.warn("event=exit_sweep_failed container={} error=\"{}\"", watch.containerId, e.getMessage());
            }
        }
    }

    /** conmon is gone: use its exit file if it wrote one, else ask the runtime and watch the orphaned init. */
    private void checkMonitor(Watch watch) {
        Optional<ContainerExit> recorded = check(watch.containerId, watch.persistDir);
        if (recorded.isPresent()) {
            fire(watch, recorded.get());
            return;
        }
        ProcessHandle orphan = watch.orphan;
        if (orphan != null && orphan.isAlive()) {
            return;
        }
        Optional<OciState> state = watch.runtime.state(watch.containerId);
        if (state.isPresent() && !state.get().isStopped() && state.get().pid() > 0) {
            Optional<ProcessHandle> init = ProcessHandle.of(state.get().pid());
            if (init.isPresent() && init.get().isAlive()) {
                if (orphan == null) {
                    LOG.warn("event=monitor_lost container={} pid={} action=watching_init", watch.containerId,
                            state.get().pid());
                }
                watch.orphan = init.get();
                return;
            }
        }
        boolean oom = Files.exists(new MonitorFiles(watch.persistDir).oomFile());
        fire(watch, new ContainerExit(watch.containerId, ContainerExit.UNKNOWN_EXIT_CODE, Instant.now(), oom, true));
    }
}
