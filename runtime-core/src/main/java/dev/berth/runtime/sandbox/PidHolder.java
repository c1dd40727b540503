package dev.berth.runtime.sandbox;

import dev.berth.common.error.BerthException;
import dev.berth.common.fs.Trees;
import dev.berth.runtime.host.cgroup.CgroupCleaner;
import dev.berth.runtime.host.cgroup.CgroupDriver;
import dev.berth.runtime.host.monitor.ConmonLaunch;
import dev.berth.runtime.host.monitor.ContainerExit;
import dev.berth.runtime.host.monitor.ExitWatcher;
import dev.berth.runtime.host.monitor.MonitoredContainer;
import dev.berth.runtime.host.oci.ContainerSpecBuilder;
import dev.berth.runtime.host.oci.OciJson;
import dev.berth.runtime.host.oci.OciSpec;
import dev.berth.runtime.host.oci.OciState;
import dev.berth.runtime.host.oci.SandboxContext;
import dev.berth.runtime.store.StateLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code catatonit -P} process that holds a pod's shared PID namespace (PID mode POD), run as a small container
 * of its own under conmon with the sandbox's ID as its OCI ID. Containers of the pod join {@code /proc/<pid>/ns/pid}.
 */
public final class PidHolder {

    private static final Logger LOG = LoggerFactory.getLogger(PidHolder.class);
    private static final int SIGKILL = 9;
    private static final Duration EXIT_WAIT = Duration.ofSeconds(10);
    private static final long LOG_SIZE_MAX = 1024 * 1024;

    private final StateLayout layout;
    private final ContainerSpecBuilder specs;
    private final ExitWatcher exits;
    private final CgroupCleaner cgroups;
    private final CgroupDriver driver;
    private final Path catatonit;
    private final OciJson json = new OciJson();
    private final ConcurrentHashMap<String, CompletableFuture<ContainerExit>> exited = new ConcurrentHashMap<>();

    public PidHolder(StateLayout layout, ContainerSpecBuilder specs, ExitWatcher exits, CgroupCleaner cgroups,
            CgroupDriver driver, Path catatonit) {
        this.layout = layout;
        this.specs = specs;
        this.exits = exits;
        this.cgroups = cgroups;
        this.driver = driver;
        this.catatonit = catatonit;
    }

    /** The PID namespace file a container of the pod joins. */
    public static Path namespaceOf(int pid) {
        return Path.of("/proc", Integer.toString(pid), "ns", "pid");
    }

    /** Creates and starts the holder; returns its host PID. On failure nothing is left. */
    public int start(OciHandlers.Handler handler, SandboxContext context) {
        String id = context.sandboxId();
        Path bundle = bundleOf(id);
        try {
            Files.createDirectories(bundle.resolve("rootfs"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + bundle, e);
        }
        OciSpec spec = specs.buildPidHolder(id, context, bundle.resolve("rootfs"), catatonit);
        json.writeConfig(bundle, spec);
        MonitoredContainer monitored;
        try {
            monitored = handler.conmon().create(new ConmonLaunch(id, bundle, bundle, bundle.resolve("holder.log"),
                    false, false, false, LOG_SIZE_MAX));
        } catch (RuntimeException e) {
            removeBundle(id);
            throw e;
        }
        try {
            watch(handler, id);
            handler.runtime().start(id);
        } catch (RuntimeException e) {
            destroy(handler, id, context.cgroupParent());
            throw e;
        }
        LOG.info("event=pid_holder_started sandbox={} pid={}", id, monitored.pid());
        return monitored.pid();
    }

    /** Arms the exit watch of a running holder (after start, and after a daemon restart). */
    public void watch(OciHandlers.Handler handler, String sandboxId) {
        CompletableFuture<ContainerExit> future = new CompletableFuture<>();
        exited.put(sandboxId, future);
        exits.watch(sandboxId, bundleOf(sandboxId), handler.runtime(), exit -> {
            LOG.info("event=pid_holder_exited sandbox={} exit_code={}", sandboxId, exit.exitCode());
            future.complete(exit);
        });
    }

    /** The holder's current PID, if the OCI runtime says it runs (recovery). */
    public Optional<Integer> runningPid(OciHandlers.Handler handler, String sandboxId) {
        return handler.runtime().state(sandboxId).filter(OciState::isRunning).map(OciState::pid);
    }

    /** Kills and deletes the holder and everything it left; idempotent. */
    public void destroy(OciHandlers.Handler handler, String sandboxId, String cgroupParent) {
        Optional<OciState> state = handler.runtime().state(sandboxId);
        if (state.isPresent()) {
            CompletableFuture<ContainerExit> exit = exited.get(sandboxId);
            if (exit == null && !state.get().isStopped()) {
                watch(handler, sandboxId);
                exit = exited.get(sandboxId);
            }
            if (!state.get().isStopped()) {
                handler.runtime().kill(sandboxId, SIGKILL, true);
            }
            awaitExit(sandboxId, exit);
            handler.runtime().delete(sandboxId, true);
        }
        exits.unwatch(sandboxId);
        exited.remove(sandboxId);
        MonitorExit.await(bundleOf(sandboxId), EXIT_WAIT);
        handler.conmon().cleanup(sandboxId, bundleOf(sandboxId));
        cgroups.remove(driver.containerPath(cgroupParent, sandboxId));
        removeBundle(sandboxId);
    }

    private static void awaitExit(String sandboxId, CompletableFuture<ContainerExit> exit) {
        if (exit == null) {
            return;
        }
        try {
            // conmon writes the exit file when it sees the death; waiting keeps cleanup from racing that write.
            exit.get(EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("event=pid_holder_exit_wait_timeout sandbox={}", sandboxId);
        } catch (ExecutionException e) {
            LOG.warn("event=pid_holder_exit_wait_failed sandbox={} error=\"{}\"", sandboxId, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BerthException(BerthException.Kind.CANCELLED, "interrupted while stopping the PID holder of "
                    + sandboxId);
        }
    }

    private Path bundleOf(String sandboxId) {
        return layout.sandboxRuntime(sandboxId).resolve("pidholder");
    }

    private void removeBundle(String sandboxId) {
        Trees.deleteRecursively(bundleOf(sandboxId));
    }
}
