package dev.berth.cni.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cni.NetworkStatus;
import dev.berth.cni.PodAttachment;
import dev.berth.cni.PodIp;
import dev.berth.cni.PodNetworkConfig;
import dev.berth.cni.PodNetworkRequest;
import dev.berth.cni.attach.AttachSteps;
import dev.berth.cni.attach.AttachmentRecord;
import dev.berth.cni.attach.AttachmentStore;
import dev.berth.cni.attach.NetworkBackend;
import dev.berth.cni.attach.NetworkCounters;
import dev.berth.common.error.BerthException;
import dev.berth.common.net.NetnsCreator;
import dev.berth.common.net.PortMapping;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pods attached by the CNI plugins of the conf dir's config list, as a CNI runtime: the ADD's inputs and result
 * are cached per sandbox before and after the ADD; DEL, CHECK and GC run from that cache; readiness follows the
 * conf dir (watched) and, for spec 1.1 configs, the plugins' STATUS.
 */
public final class CniNetwork implements NetworkBackend {

    private static final Logger LOG = LoggerFactory.getLogger(CniNetwork.class);
    private static final String INTERFACE = "eth0";
    /** After this many failed DELs of a dead attachment, its cache entry is dropped (never wedge on a plugin). */
    private static final int MAX_DEL_ATTEMPTS = 3;
    private static final long STATUS_CACHE_NANOS = 5_000_000_000L;

    private final PodNetworkConfig config;
    private final AttachmentStore store;
    private final NetworkCounters counters;
    private final ObjectMapper json;
    private final CniPluginInvoker invoker;
    private final CniPluginChain chain;
    private final CniResultCache cache;
    private final CniConfigLoader loader;
    private final ConfDirWatcher watcher;
    private volatile ConfDirState state;
    private volatile StatusProbe lastProbe;

    private record StatusProbe(CniConfigList config, NetworkStatus status, long atNanos) {
    }

    public CniNetwork(PodNetworkConfig config, AttachmentStore store, NetworkCounters counters, ObjectMapper json) {
        this.config = config;
        this.store = store;
        this.counters = counters;
        this.json = json;
        this.invoker = new CniPluginInvoker(config.binDirs(), config.pluginTimeout(), json, counters);
        this.chain = new CniPluginChain(invoker);
        this.cache = new CniResultCache(config.stateDir().resolve("cni-cache"), json);
        this.loader = new CniConfigLoader(config.confDir(), json);
        this.watcher = new ConfDirWatcher(config.confDir(), this::reload);
        this.state = ConfDirState.empty("conf dir not read yet");
    }

    /** Creates the conf dir if missing (as other runtimes do), reads it and starts watching it. */
    public void start() {
        try {
            Files.createDirectories(config.confDir());
        } catch (IOException e) {
            LOG.warn("cannot create conf dir dir={} error={}", config.confDir(), e.getMessage());
        }
        reload();
        watcher.start();
    }

    /** True when the conf dir holds a config file, valid or not: in AUTO mode that means plugins. */
    public boolean hasConfigCandidates() {
        return state.hasCandidates();
    }

    @Override
    public PodAttachment attach(PodNetworkRequest request, NetnsCreator netns) {
        CniConfigList list = usableConfig();
        String id = request.sandboxId();
        netns.create(List.of());
        CniInvocation invocation = new CniInvocation(id, request.netnsPath().toString(), INTERFACE,
                cniArgs(request), capabilityArgs(request));
        CniCacheEntry intent = new CniCacheEntry(id, list.name(), list.json(), invocation.netns(), INTERFACE,
                invocation.cniArgs(), invocation.capabilityArgs(), null, 0, System.currentTimeMillis());
        AttachSteps steps = new AttachSteps(id);
        steps.run("cache attachment intent", () -> cache.save(intent), () -> cache.delete(id));
        JsonNode result = steps.run("CNI ADD", () -> addOrDelete(list, invocation),
                added -> chain.del(list, invocation, added));
        steps.run("cache ADD result", () -> cache.save(intent.withResult(result)), () -> { });
        List<PodIp> ips = steps.run("read ADD result", () -> CniResults.podIps(result), ignored -> { });
        AttachmentRecord record = new AttachmentRecord(id, AttachmentRecord.Kind.PLUGIN, list.name(),
                invocation.netns(), request.podName(), request.podNamespace(), request.podUid(), INTERFACE,
                request.hostPortMappings(), List.of(), "", intent.createdAtMillis()).withIps(ips);
        steps.run("save attachment record", () -> store.save(record), () -> store.delete(id));
        return record.toAttachment();
    }

    /** ADD; when it fails, DEL the whole list (the spec's answer, plugins ADD never reached included). */
    private JsonNode addOrDelete(CniConfigList list, CniInvocation invocation) {
        try {
            return chain.add(list, invocation);
        } catch (CniPluginException e) {
            chain.del(list, invocation, null);
            throw e.toBerthException();
        }
    }

    @Override
    public void teardown(String sandboxId, AttachmentRecord record, boolean waitForLinks) {
        cache.find(sandboxId).ifPresentOrElse(this::del, () -> {
            if (cache.sandboxIds().contains(sandboxId)) {
                // Unreadable entry: nothing to DEL with, keep it from piling up.
                cache.delete(sandboxId);
            }
        });
        if (record != null) {
            store.delete(sandboxId);
        }
    }

    private void del(CniCacheEntry entry) {
        List<CniPluginException> failures;
        try {
            failures = chain.del(entry.configList(), entry.invocation(), entry.result());
        } catch (IllegalArgumentException e) {
            LOG.warn("cached config unusable, dropping entry sandbox={} error={}", entry.sandboxId(), e.getMessage());
            counters.teardownError();
            cache.delete(entry.sandboxId());
            return;
        }
        if (failures.isEmpty()) {
            cache.delete(entry.sandboxId());
            LOG.debug("cni DEL done sandbox={} network={}", entry.sandboxId(), entry.networkName());
            return;
        }
        counters.teardownError();
        if (entry.delAttempts() + 1 >= MAX_DEL_ATTEMPTS) {
            LOG.warn("cni DEL failed, giving up sandbox={} attempts={} error={}", entry.sandboxId(),
                    entry.delAttempts() + 1, failures.get(0).getMessage());
            cache.delete(entry.sandboxId());
        } else {
            // Kept for garbage collection to retry once the sandbox is gone.
            LOG.warn("cni DEL failed, will retry sandbox={} attempts={} error={}", entry.sandboxId(),
                    entry.delAttempts() + 1, failures.get(0).getMessage());
            cache.save(entry.withFailedDel());
        }
    }

    @Override
    public Set<String> owners() {
        Set<String> owners = new HashSet<>(cache.sandboxIds());
        store.all().stream().filter(r -> r.kind() == AttachmentRecord.Kind.PLUGIN)
                .forEach(r -> owners.add(r.sandboxId()));
        return owners;
    }

    @Override
    public void sweep(Predicate<String> keep) {
        Optional<CniConfigList> current = state.config();
        if (current.isEmpty() || current.get().disableGc() || !current.get().version().atLeast(CniVersion.V1_1_0)) {
            return;
        }
        CniConfigList list = current.get();
        List<CniPluginChain.ValidAttachment> valid = new ArrayList<>();
        for (String id : cache.sandboxIds()) {
            if (keep.test(id)) {
                cache.find(id).filter(e -> e.networkName().equals(list.name()))
                        .ifPresent(e -> valid.add(new CniPluginChain.ValidAttachment(id, e.ifName())));
            }
        }
        List<CniPluginException> failures = chain.gc(list, valid);
        LOG.info("cni GC done network={} valid={} failures={}", list.name(), valid.size(), failures.size());
    }

    @Override
    public void check(AttachmentRecord record) {
        CniCacheEntry entry = cache.find(record.sandboxId()).orElseThrow(() -> BerthException.failedPrecondition(
                "no cached CNI result for sandbox " + record.sandboxId()));
        CniConfigList list = entry.configList();
        if (list.disableCheck() || !list.version().atLeast(CniVersion.V0_4_0)) {
            return;
        }
        try {
            chain.check(list, entry.invocation(), entry.result());
        } catch (CniPluginException e) {
            throw e.toBerthException();
        }
    }

    @Override
    public NetworkStatus status() {
        ConfDirState current = state;
        if (current.config().isEmpty()) {
            return NetworkStatus.notReady("cni plugin not initialized: " + current.problem());
        }
        CniConfigList list = current.config().get();
        List<String> missing = list.pluginTypes().stream().filter(t -> invoker.find(t).isEmpty()).toList();
        if (!missing.isEmpty()) {
            return NetworkStatus.notReady("cni plugin not initialized: network " + list.name() + " needs plugins "
                    + missing + " not found in " + config.binDirs());
        }
        if (!list.version().atLeast(CniVersion.V1_1_0)) {
            return NetworkStatus.ready("cni network " + list.name() + " from " + list.source());
        }
        return probeStatus(list);
    }

    /** STATUS runs plugins: ask at most every few seconds (the kubelet polls Status often). */
    private NetworkStatus probeStatus(CniConfigList list) {
        StatusProbe last = lastProbe;
        long now = System.nanoTime();
        if (last != null && last.config() == list && now - last.atNanos() < STATUS_CACHE_NANOS) {
            return last.status();
        }
        NetworkStatus status;
        try {
            chain.status(list);
            status = NetworkStatus.ready("cni network " + list.name() + " from " + list.source());
        } catch (CniPluginException e) {
            status = NetworkStatus.notReady(e.getMessage());
        }
        lastProbe = new StatusProbe(list, status, now);
        return status;
    }

    @Override
    public void close() {
        watcher.close();
    }

    private void reload() {
        ConfDirState previous = state;
        ConfDirState next = loader.load();
        state = next;
        String before = previous.config().map(CniConfigList::source).orElse("");
        String after = next.config().map(CniConfigList::source).orElse("");
        if (!before.equals(after) || !previous.problem().equals(next.problem())) {
            LOG.info("cni config changed dir={} network={} source={} problem={}", config.confDir(),
                    next.config().map(CniConfigList::name).orElse(""), after, next.problem());
        }
    }

    private CniConfigList usableConfig() {
        NetworkStatus status = status();
        if (!status.ready()) {
            throw BerthException.failedPrecondition("pod network not ready: " + status.message());
        }
        return state.config().orElseThrow(() -> BerthException.failedPrecondition("pod network not ready"));
    }

    private static String cniArgs(PodNetworkRequest request) {
        return "IgnoreUnknown=1;K8S_POD_NAMESPACE=" + request.podNamespace() + ";K8S_POD_NAME=" + request.podName()
                + ";K8S_POD_INFRA_CONTAINER_ID=" + request.sandboxId() + ";K8S_POD_UID=" + request.podUid();
    }

    /** Every capability argument berth can supply; each plugin gets those it declares. */
    private ObjectNode capabilityArgs(PodNetworkRequest request) {
        ObjectNode args = json.createObjectNode();
        List<PortMapping> published = request.hostPortMappings();
        if (!published.isEmpty()) {
            ArrayNode mappings = args.putArray("portMappings");
            for (PortMapping mapping : published) {
                ObjectNode entry = mappings.addObject().put("hostPort", mapping.hostPort())
                        .put("containerPort", mapping.containerPort()).put("protocol", mapping.protocol().wireName());
                if (!mapping.anyHostIp()) {
                    entry.put("hostIP", mapping.hostIp());
                }
            }
        }
        request.bandwidth().ifPresent(b -> args.putObject("bandwidth").put("ingressRate", b.ingressRate())
                .put("ingressBurst", b.ingressBurst()).put("egressRate", b.egressRate())
                .put("egressBurst", b.egressBurst()));
        request.dns().ifPresent(d -> {
            ObjectNode dns = args.putObject("dns");
            d.servers().forEach(dns.putArray("servers")::add);
            d.searches().forEach(dns.putArray("searches")::add);
            d.options().forEach(dns.putArray("options")::add);
        });
        if (!request.requestedIps().isEmpty()) {
            request.requestedIps().forEach(args.putArray("ips")::add);
        }
        return args;
    }
}
