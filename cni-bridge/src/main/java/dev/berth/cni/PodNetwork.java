package dev.berth.cni;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.cni.attach.AttachmentRecord;
import dev.berth.cni.attach.AttachmentStore;
import dev.berth.cni.attach.HostPortRegistry;
import dev.berth.cni.attach.NetworkBackend;
import dev.berth.cni.attach.NetworkCounters;
import dev.berth.cni.builtin.BuiltinNetwork;
import dev.berth.cni.net.LinkBatch;
import dev.berth.cni.plugin.CniNetwork;
import dev.berth.common.error.BerthException;
import dev.berth.common.net.NetnsCreator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pod network: attaches pinned network namespaces to the built-in bridge network or to the conf dir's CNI
 * plugins (see {@link NetworkMode}), detaches them, reports readiness and collects what dead sandboxes left.
 *
 * <p>Thread-safe. Calls for one sandbox are serialised; calls for different sandboxes run in parallel. Every error
 * reaching a caller is a {@link BerthException}. One instance per state dir.
 *
 * <p>State under {@link PodNetworkConfig#stateDir()}: {@code attachments/<sandbox>.json} (what each attachment
 * holds, written before the network is touched), {@code ipam/<address>} (built-in allocations),
 * {@code cni-cache/<sandbox>.json} (CNI ADD inputs and results), {@code pod-cidr} (the kubelet's pod CIDR).
 */
public final class PodNetwork implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PodNetwork.class);
    private static final int LOCK_STRIPES = 64;
    private static final Duration SETUP_WAIT = Duration.ofSeconds(30);

    private final PodNetworkConfig config;
    private final AttachmentStore store;
    private final HostPortRegistry hostPorts = new HostPortRegistry();
    private final NetworkCounters counters;
    private final ScheduledExecutorService background;
    private final ExecutorService steps;
    private final BuiltinNetwork builtin;
    private final CniNetwork plugins;
    private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> recentAttaches = new ConcurrentHashMap<>();
    private volatile ScheduledFuture<?> periodicGc;
    /** The built-in network's setup started at open; done at once when open had none to do. */
    private volatile CompletableFuture<Void> builtinSetup = CompletableFuture.completedFuture(null);
    private volatile boolean closed;

    private PodNetwork(PodNetworkConfig config, NetworkObserver observer) {
        this.config = config;
        this.counters = new NetworkCounters(observer);
        ObjectMapper json = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        try {
            Files.createDirectories(config.stateDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + config.stateDir(), e);
        }
        this.store = new AttachmentStore(config.stateDir().resolve("attachments"), json);
        this.background = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "berth-cni-background");
            thread.setDaemon(true);
            return thread;
        });
        this.steps = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "berth-cni-step");
            thread.setDaemon(true);
            return thread;
        });
        this.builtin = new BuiltinNetwork(config, store, counters, background, steps, json);
        this.plugins = new CniNetwork(config, store, counters, json);
        for (int i = 0; i < LOCK_STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /**
     * Opens the pod network: loads the attachment records, starts watching the conf dir (unless the mode is
     * BUILTIN) and, when the built-in network is in use or holds pods, starts setting up its bridge and rebuilding
     * its nftables table on the background thread (a few {@code nft} and netlink calls that would otherwise delay
     * serving). {@link #status()} and attach wait for that setup; a failure does not fail the open: status reports it
     * and attach retries.
     */
    public static PodNetwork open(PodNetworkConfig config) {
        return open(config, NetworkObserver.NONE);
    }

    /** Like {@link #open(PodNetworkConfig)}, reporting each plugin call (or built-in ADD/DEL) to {@code observer}. */
    public static PodNetwork open(PodNetworkConfig config, NetworkObserver observer) {
        return guarded("opening the pod network", () -> openUnguarded(config, observer));
    }

    private static PodNetwork openUnguarded(PodNetworkConfig config, NetworkObserver observer) {
        PodNetwork network = new PodNetwork(config, observer);
        network.hostPorts.load(network.store.all());
        if (config.mode() != NetworkMode.BUILTIN) {
            network.plugins.start();
        }
        boolean builtinHoldsPods = network.store.all().stream()
                .anyMatch(r -> r.kind() == AttachmentRecord.Kind.BUILTIN);
        if (network.selectBackend() == network.builtin || builtinHoldsPods) {
            network.builtinSetup = CompletableFuture.runAsync(() -> {
                try {
                    network.builtin.initialize();
                } catch (BerthException e) {
                    LOG.warn("built-in network not ready at open error={}", e.getMessage());
                }
            }, network.background);
        }
        LOG.info("pod network open mode={} stateDir={} records={}", config.mode(), config.stateDir(),
                network.store.all().size());
        return network;
    }

    /**
     * Attaches the pod's netns and returns its addresses, primary first. Anything done is undone if a step fails.
     * An earlier attachment of the same sandbox (a retry after a failure or crash) is replaced.
     *
     * @throws BerthException INVALID_ARGUMENT for a bad request or missing netns, ALREADY_EXISTS when a host port is
     *                        published by another pod, FAILED_PRECONDITION when the network is not ready,
     *                        RESOURCE_EXHAUSTED when the subnet is full, INTERNAL/UNAVAILABLE when setup fails
     *                        (a CNI plugin's code and message are kept in the message)
     */
    public PodAttachment attach(PodNetworkRequest request) {
        if (!Files.exists(request.netnsPath())) {
            throw BerthException.invalidArgument("network namespace " + request.netnsPath() + " does not exist");
        }
        return attach(request, LinkBatch.inExisting(request.netnsPath()));
    }

    /**
     * Like {@link #attach(PodNetworkRequest)} for a namespace that does not exist yet: it is made through
     * {@code netns} once the addresses are known, so that the pod side is set up by the spawn that creates it. When
     * a later step fails, the namespace is left for the caller to remove.
     */
    public PodAttachment attach(PodNetworkRequest request, NetnsCreator netns) {
        String id = request.sandboxId();
        if (closed) {
            throw BerthException.failedPrecondition("pod network is closed");
        }
        guarded("setting up the pod network", () -> {
            awaitBuiltinSetup();
            return null;
        });
        ReentrantLock lock = lockFor(id);
        lock.lock();
        inFlight.add(id);
        long started = System.nanoTime();
        try {
            store.find(id).ifPresent(stale -> {
                LOG.info("replacing earlier attachment sandbox={} network={}", id, stale.network());
                teardown(id, Optional.of(stale), true);
            });
            NetworkBackend backend = selectBackend();
            hostPorts.reserve(id, request.podFullName(), request.hostPortMappings());
            try {
                PodAttachment attachment;
                try {
                    attachment = backend.attach(request, netns);
                } catch (RuntimeException e) {
                    builtinOperation(backend, "ADD", true);
                    throw e;
                }
                builtinOperation(backend, "ADD", false);
                recentAttaches.put(id, System.nanoTime());
                counters.attached();
                LOG.info("pod attached sandbox={} pod={} network={} ips={} ms={}", id, request.podFullName(),
                        attachment.network(), attachment.ips(), (System.nanoTime() - started) / 1_000_000);
                return attachment;
            } catch (RuntimeException e) {
                hostPorts.release(id);
                throw e;
            }
        } catch (RuntimeException e) {
            counters.attachFailed();
            throw e instanceof BerthException b ? b
                    : BerthException.internal("attaching sandbox " + id + " failed: " + e.getMessage(), e);
        } finally {
            inFlight.remove(id);
            lock.unlock();
        }
    }

    /**
     * Detaches the sandbox: addresses and host ports are released before this returns, link removal may finish
     * in the background. Idempotent; succeeds when the netns is gone, a plugin fails or nothing was attached
     * (errors are logged and counted in {@link #stats()}). The cached attachment says everything a DEL needs.
     */
    public void detach(String sandboxId) {
        PodNetworkRequest.requireValidSandboxId(sandboxId);
        ReentrantLock lock = lockFor(sandboxId);
        lock.lock();
        try {
            Optional<AttachmentRecord> record = store.find(sandboxId);
            teardown(sandboxId, record, false);
            record.ifPresent(r -> builtinOperation(backendOf(r), "DEL", false));
            counters.detached();
        } finally {
            lock.unlock();
        }
    }

    /** The sandbox's current attachment, from berth's records (also after a restart). */
    public Optional<PodAttachment> attachment(String sandboxId) {
        return store.find(sandboxId).map(AttachmentRecord::toAttachment);
    }

    /**
     * Verifies the attachment is still in place (CNI CHECK for plugin networks).
     *
     * @throws BerthException NOT_FOUND when the sandbox is not attached, FAILED_PRECONDITION or the plugin's error
     *                        when something is missing
     */
    public void check(String sandboxId) {
        AttachmentRecord record = store.find(sandboxId)
                .orElseThrow(() -> BerthException.notFound("sandbox " + sandboxId + " is not attached"));
        guarded("checking sandbox " + sandboxId, () -> {
            backendOf(record).check(record);
            return null;
        });
    }

    /** The CRI NetworkReady condition for the network new pods would get. */
    public NetworkStatus status() {
        try {
            awaitBuiltinSetup();
            return selectBackend().status();
        } catch (RuntimeException e) {
            return NetworkStatus.notReady("network status unknown: " + e.getMessage());
        }
    }

    /**
     * Sets the built-in network's pod subnet from the kubelet's {@code UpdateRuntimeConfig} ("10.244.1.0/24" or a
     * comma-separated dual-stack pair). Applies to pods attached from now on; CNI plugin networks configure their
     * own ranges and ignore it.
     */
    public void updatePodCidr(String podCidr) {
        if (podCidr == null || podCidr.isBlank()) {
            return;
        }
        guarded("applying pod CIDR " + podCidr, () -> {
            awaitBuiltinSetup();
            builtin.updatePodCidr(podCidr);
            return null;
        });
    }

    /**
     * Removes everything held for sandboxes not in {@code liveSandboxIds}: built-in addresses, veths, host ports and
     * stale nftables elements; CNI attachments get a DEL from their cached result, and spec 1.1 plugins a GC with
     * the valid attachments. Sandboxes attaching right now, or attached by this process within the configured grace
     * period, are kept whatever the list says. Call at startup and periodically (or use
     * {@link #scheduleGarbageCollection}).
     */
    public void collectGarbage(Set<String> liveSandboxIds) {
        guarded("collecting pod network garbage", () -> {
            collectGarbageUnguarded(liveSandboxIds);
            return null;
        });
    }

    private void collectGarbageUnguarded(Set<String> liveSandboxIds) {
        Set<String> keep = new HashSet<>(liveSandboxIds);
        keep.addAll(inFlight);
        long graceStart = System.nanoTime() - config.gcGracePeriod().toNanos();
        recentAttaches.entrySet().removeIf(e -> e.getValue() - graceStart < 0);
        keep.addAll(recentAttaches.keySet());

        Set<String> owners = new HashSet<>(builtin.owners());
        owners.addAll(plugins.owners());
        store.all().forEach(r -> owners.add(r.sandboxId()));
        owners.removeAll(keep);
        for (String id : owners) {
            ReentrantLock lock = lockFor(id);
            lock.lock();
            try {
                if (inFlight.contains(id) || recentAttaches.containsKey(id)) {
                    continue;
                }
                LOG.info("collecting dead attachment sandbox={}", id);
                teardown(id, store.find(id), true);
                counters.collected();
            } finally {
                lock.unlock();
            }
        }
        // Asked live: a sandbox that starts attaching during the sweep is in flight or recent, never swept.
        Predicate<String> kept = id -> keep.contains(id) || inFlight.contains(id) || recentAttaches.containsKey(id);
        sweep("built-in", () -> builtin.sweep(kept));
        sweep("cni", () -> plugins.sweep(kept));
    }

    /**
     * Runs {@link #collectGarbage} with the live set from {@code liveSandboxes} on the network's background thread:
     * once at once, then every {@code interval}. At start-up this keeps the sweep's nftables calls off the path to
     * serving; attaches that start meanwhile are kept, as during any periodic run.
     */
    public void scheduleGarbageCollection(Supplier<Set<String>> liveSandboxes, Duration interval) {
        ScheduledFuture<?> previous = periodicGc;
        if (previous != null) {
            previous.cancel(false);
        }
        periodicGc = background.scheduleWithFixedDelay(() -> {
            try {
                collectGarbage(liveSandboxes.get());
            } catch (RuntimeException e) {
                LOG.warn("periodic pod network garbage collection failed error={}", e.getMessage());
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    public NetworkStats stats() {
        return counters.snapshot();
    }

    public PodNetworkConfig config() {
        return config;
    }

    /**
     * Stops watching and waits for background link removal; attached pods stay attached. Detach and garbage
     * collection still work afterwards (synchronously); attach does not.
     */
    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> gc = periodicGc;
        if (gc != null) {
            gc.cancel(false);
        }
        plugins.close();
        builtin.close();
        background.shutdown();
        steps.shutdown();
        try {
            background.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Tears down through the backend that made the attachment, or through both when no record survived. */
    private void teardown(String sandboxId, Optional<AttachmentRecord> record, boolean waitForLinks) {
        awaitBuiltinSetup();
        try {
            if (record.isPresent()) {
                backendOf(record.get()).teardown(sandboxId, record.get(), waitForLinks);
            } else {
                builtin.teardown(sandboxId, null, waitForLinks);
                plugins.teardown(sandboxId, null, waitForLinks);
            }
        } catch (RuntimeException e) {
            counters.teardownError();
            LOG.warn("teardown incomplete sandbox={} error={}", sandboxId, e.getMessage());
        } finally {
            hostPorts.release(sandboxId);
            recentAttaches.remove(sandboxId);
        }
    }

    /**
     * Waits (bounded) for the setup begun at open: a status taken right after start-up tells the truth, and no
     * attach or teardown races the table being rebuilt. The setup runs first on the background thread, so the
     * garbage collection that runs there later never waits for itself.
     */
    private void awaitBuiltinSetup() {
        try {
            builtinSetup.get(SETUP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the built-in network's setup is still running after " + SETUP_WAIT);
        } catch (ExecutionException e) {
            // Failures are kept by the backend and reported by its status.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the built-in network's setup");
        }
    }

    private NetworkBackend selectBackend() {
        return switch (config.mode()) {
            case BUILTIN -> builtin;
            case PLUGIN -> plugins;
            case AUTO -> plugins.hasConfigCandidates() ? plugins : builtin;
        };
    }

    /** Plugin networks report each plugin call themselves; the built-in one reports its ADD and DEL here. */
    private void builtinOperation(NetworkBackend backend, String command, boolean failed) {
        if (backend == builtin) {
            counters.operation(NetworkObserver.BUILTIN, command, failed);
        }
    }

    private NetworkBackend backendOf(AttachmentRecord record) {
        return record.kind() == AttachmentRecord.Kind.BUILTIN ? builtin : plugins;
    }

    private void sweep(String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.warn("garbage sweep failed network={} error={}", what, e.getMessage());
        }
    }

    /** Lets BerthExceptions through and turns anything else (I/O, commands) into an INTERNAL one. */
    private static <T> T guarded(String what, Supplier<T> action) {
        try {
            return action.get();
        } catch (BerthException e) {
            throw e;
        } catch (RuntimeException e) {
            throw BerthException.internal(what + " failed: " + e.getMessage(), e);
        }
    }

    private ReentrantLock lockFor(String sandboxId) {
        return locks[Math.floorMod(sandboxId.hashCode(), LOCK_STRIPES)];
    }
}
