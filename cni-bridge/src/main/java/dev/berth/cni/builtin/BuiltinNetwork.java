package dev.berth.cni.builtin;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import dev.berth.cni.net.BridgePorts;
import dev.berth.cni.net.Cidr;
import dev.berth.cni.net.HostLinks;
import dev.berth.cni.net.LinkBatch;
import dev.berth.cni.net.Sysctls;
import dev.berth.common.error.BerthException;
import dev.berth.common.exec.Command;
import dev.berth.common.exec.CommandResult;
import dev.berth.common.net.Addresses;
import dev.berth.common.net.NetnsCreator;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network berth brings along: a bridge with the pod subnets' gateways, one veth per pod ({@code eth0} in the
 * pod's netns), host-local style IPAM, masquerade and host ports in berth's own nftables table.
 *
 * <p>An attach writes two small files (the address, the record), hands its pod-side {@code ip} lines (the veth pair,
 * made from inside the pod's namespace with the host end sent out, addresses, routes) to the spawn that creates the
 * namespace, then makes the host end a bridge port without a spawn ({@link BridgePorts}) and, only with host ports,
 * runs one {@code nft -f} beside that. A detach releases addresses and host ports synchronously and deletes the
 * host-side veth in the background: that costs ~20 ms of kernel time, and deleting the pod's netns would remove the
 * pair anyway.
 */
public final class BuiltinNetwork implements NetworkBackend {

    public static final String NETWORK_NAME = "builtin";

    /** berth's own network namespace, where the bridge is; {@code ip} takes a path for {@code netns}. */
    private static final String HOST_NETNS = "/proc/" + ProcessHandle.current().pid() + "/ns/net";

    private static final Logger LOG = LoggerFactory.getLogger(BuiltinNetwork.class);

    private final PodNetworkConfig config;
    private final AttachmentStore store;
    private final NetworkCounters counters;
    private final ExecutorService background;
    private final Executor stepExecutor;
    private final HostLinks links;
    private final BridgePorts ports;
    private final Sysctls sysctls;
    private final BridgeDevice bridge;
    private final Ipam ipam;
    private final NftRules nftRules;
    private final PortMapper portMapper;
    private final PodSubnets subnets;
    private final Map<String, CompletableFuture<Void>> pendingLinkDeletes = new ConcurrentHashMap<>();
    private final Object initLock = new Object();
    private volatile boolean initialized;
    private volatile String initError = "";
    private volatile int mtu;

    /**
     * @param background   runs link deletions after a detach returned
     * @param stepExecutor runs attach and detach steps that overlap with others on the caller's thread
     */
    public BuiltinNetwork(PodNetworkConfig config, AttachmentStore store, NetworkCounters counters,
                          ExecutorService background, Executor stepExecutor, ObjectMapper json) {
        this.config = config;
        this.store = store;
        this.counters = counters;
        this.background = background;
        this.stepExecutor = stepExecutor;
        this.links = new HostLinks();
        this.ports = new BridgePorts();
        this.sysctls = new Sysctls();
        this.bridge = new BridgeDevice(config.bridgeName(), links, json);
        this.ipam = new Ipam(config.stateDir().resolve("ipam"));
        this.nftRules = new NftRules(new Nft(json), config.nftTable(), config.ipMasquerade());
        this.portMapper = new PortMapper(nftRules);
        this.subnets = new PodSubnets(config.stateDir().resolve("pod-cidr"), config.subnetV4(), config.subnetV6());
    }

    /**
     * Makes the node ready for pods: bridge, gateway addresses, sysctls, and the nftables table rebuilt from the
     * attachment records (so host ports survive a restart or someone flushing the table). Cheap when done already;
     * re-creates the bridge if it disappeared.
     */
    public void initialize() {
        if (initialized && bridge.exists()) {
            return;
        }
        synchronized (initLock) {
            if (initialized && bridge.exists()) {
                return;
            }
            try {
                mtu = config.mtu() > 0 ? config.mtu() : links.defaultRouteMtu();
                bridge.ensure(subnets.pools(), mtu);
                applySysctls();
                if (!initialized) {
                    nftRules.install(activeSubnets(), recordedElements());
                }
                initialized = true;
                initError = "";
                LOG.info("built-in network ready bridge={} subnets={} mtu={} table=inet {}", bridge.name(),
                        subnets.subnets(), mtu, nftRules.table());
            } catch (RuntimeException e) {
                initError = e.getMessage();
                LOG.warn("built-in network setup failed bridge={} error={}", bridge.name(), e.getMessage());
                throw e instanceof BerthException b ? b
                        : BerthException.internal("setting up the built-in pod network failed: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public PodAttachment attach(PodNetworkRequest request, NetnsCreator netns) {
        initialize();
        String id = request.sandboxId();
        if (request.bandwidth().isPresent()) {
            LOG.info("bandwidth limits are not enforced by the built-in network sandbox={}", id);
        }
        String veth = VethNames.hostEnd(bridge.name(), id);
        awaitLinkDelete(veth);
        AttachSteps steps = new AttachSteps(id);
        steps.run("remove stale veth", () -> removeStaleVeth(veth), () -> { });
        List<PodIp> ips = steps.run("allocate addresses",
                () -> ipam.allocate(id, VethNames.POD_INTERFACE, subnets.pools(), requestedAddresses(request)),
                allocated -> ipam.release(id, addresses(allocated)));
        AttachmentRecord record = new AttachmentRecord(id, AttachmentRecord.Kind.BUILTIN, NETWORK_NAME,
                request.netnsPath().toString(), request.podName(), request.podNamespace(), request.podUid(),
                VethNames.POD_INTERFACE, request.hostPortMappings(), List.of(), veth, System.currentTimeMillis())
                .withIps(ips);
        steps.run("save attachment record", () -> store.save(record), () -> store.delete(id));
        // The pod side makes the veth pair from inside the namespace, its peer landing in berth's own namespace.
        steps.run("configure pod interface", () -> netns.create(podSide(veth, ips)), () -> deleteLink(veth));
        // Host ports only need the addresses: program them while the host end joins the bridge.
        AttachSteps.Pending hostPorts = record.portMappings().isEmpty() ? null
                : steps.start("map host ports", () -> portMapper.map(record.portMappings(), ips),
                        () -> portMapper.unmap(record.portMappings(), ips), stepExecutor);
        steps.run("attach host end", () -> hostSide(veth, id), () -> { });
        if (hostPorts != null) {
            steps.await(hostPorts);
        }
        return record.toAttachment();
    }

    @Override
    public void teardown(String sandboxId, AttachmentRecord record, boolean waitForLinks) {
        // The nft call overlaps with releasing the addresses.
        CompletableFuture<Void> unmap = record == null || record.portMappings().isEmpty()
                ? CompletableFuture.completedFuture(null)
                : overlapped(() -> tolerate(sandboxId, "unmap host ports",
                        () -> portMapper.unmap(record.portMappings(), record.podIps())));
        tolerate(sandboxId, "release addresses", () -> {
            if (record != null) {
                ipam.release(sandboxId, addresses(record.podIps()));
            } else {
                ipam.releaseAll(sandboxId);
            }
        });
        String veth = record != null && !record.hostVeth().isEmpty() ? record.hostVeth()
                : VethNames.hostEnd(bridge.name(), sandboxId);
        if (links.exists(veth)) {
            if (waitForLinks) {
                tolerate(sandboxId, "delete veth", () -> deleteLink(veth));
            } else {
                deleteLinkInBackground(sandboxId, veth);
            }
        }
        unmap.join();
        if (record != null) {
            tolerate(sandboxId, "delete attachment record", () -> store.delete(sandboxId));
        }
    }

    @Override
    public Set<String> owners() {
        Set<String> owners = new HashSet<>(ipam.owners().values());
        store.all().stream().filter(r -> r.kind() == AttachmentRecord.Kind.BUILTIN)
                .forEach(r -> owners.add(r.sandboxId()));
        for (String port : bridge.ports()) {
            VethNames.sandboxOf(links.alias(port)).ifPresent(owners::add);
        }
        return owners;
    }

    @Override
    public void sweep(Predicate<String> keep) {
        ipam.removeTempFiles();
        if (!initialized) {
            return;
        }
        Optional<List<NftRules.Element>> elements = nftRules.elements();
        if (elements.isEmpty()) {
            LOG.warn("nftables table missing, rebuilding table=inet {}", nftRules.table());
            nftRules.install(activeSubnets(), recordedElements());
            return;
        }
        Map<InetAddress, String> owners = ipam.owners();
        List<NftRules.Element> stale = elements.get().stream().filter(element -> {
            String owner = owners.get(Addresses.parse(element.podAddress()));
            return owner == null || !keep.test(owner);
        }).toList();
        if (!stale.isEmpty()) {
            LOG.info("removing stale host port elements count={}", stale.size());
            nftRules.remove(stale);
        }
        removeRetiredGatewayAddresses(owners);
    }

    @Override
    public void check(AttachmentRecord record) {
        if (!Files.exists(Path.of(record.netnsPath()))) {
            throw BerthException.failedPrecondition("network namespace " + record.netnsPath() + " is gone");
        }
        if (!links.exists(record.hostVeth())) {
            throw BerthException.failedPrecondition("veth " + record.hostVeth() + " of sandbox "
                    + record.sandboxId() + " is gone");
        }
    }

    @Override
    public NetworkStatus status() {
        if (!initError.isEmpty()) {
            return NetworkStatus.notReady("built-in network: " + initError);
        }
        return NetworkStatus.ready("built-in bridge " + bridge.name() + " " + subnets.subnets());
    }

    /** Switches new pods to the kubelet's pod CIDR; pods already attached keep their addresses and gateway. */
    public void updatePodCidr(String podCidr) {
        if (!subnets.update(podCidr)) {
            return;
        }
        LOG.info("pod CIDR updated subnets={}", subnets.subnets());
        if (initialized) {
            synchronized (initLock) {
                bridge.ensure(subnets.pools(), mtu);
                applySysctls();
                nftRules.updateSubnets(activeSubnets());
            }
        }
    }

    @Override
    public void close() {
        CompletableFuture.allOf(pendingLinkDeletes.values().toArray(CompletableFuture[]::new))
                .completeOnTimeout(null, 10, TimeUnit.SECONDS).join();
    }

    private void removeStaleVeth(String veth) {
        if (links.exists(veth)) {
            // Left by an attach that died half-way: its name is ours by construction.
            deleteLink(veth);
        }
    }

    /** Run inside the pod's namespace: the veth pair with its host end sent out to berth's namespace, addresses. */
    private List<String> podSide(String veth, List<PodIp> ips) {
        String mtuText = Integer.toString(mtu);
        LinkBatch batch = new LinkBatch()
                .add("link", "add", VethNames.POD_INTERFACE, "mtu", mtuText, "type", "veth", "peer", "name", veth,
                        "mtu", mtuText, "netns", HOST_NETNS);
        for (PodIp ip : ips) {
            if (ip.isIpv4()) {
                batch.add("addr", "add", ip.cidr(), "dev", VethNames.POD_INTERFACE);
            } else {
                batch.add("addr", "add", ip.cidr(), "dev", VethNames.POD_INTERFACE, "nodad");
            }
        }
        batch.add("link", "set", VethNames.POD_INTERFACE, "up");
        for (PodIp ip : ips) {
            ip.gateway().ifPresent(gateway -> batch.add("route", "add", ip.isIpv4() ? "default" : "::/0", "via",
                    Addresses.format(gateway), "dev", VethNames.POD_INTERFACE));
        }
        return batch.lines();
    }

    private void hostSide(String veth, String sandboxId) {
        ports.attach(veth, bridge.name(), VethNames.alias(sandboxId), config.hairpin());
    }

    /**
     * Deletes a link; one already gone is fine. ip says "Cannot find device" when the name is unknown, and "No such
     * device" when the link vanished between its lookup and the delete (its namespace was just destroyed).
     */
    private static void deleteLink(String link) {
        CommandResult result = Command.of("ip", "link", "del", link).run();
        String error = result.stderrText();
        if (!result.succeeded() && !error.contains("Cannot find device") && !error.contains("No such device")) {
            throw BerthException.internal("ip link del " + link + " failed: " + result.stderrText(), null);
        }
    }

    private void deleteLinkInBackground(String sandboxId, String veth) {
        CompletableFuture<Void> deletion;
        try {
            deletion = CompletableFuture.runAsync(() -> deleteLink(veth), background);
        } catch (RejectedExecutionException e) {
            // Closed: no background any more, do it now.
            tolerate(sandboxId, "delete veth", () -> deleteLink(veth));
            return;
        }
        CompletableFuture<Void> future = deletion.exceptionally(e -> {
            counters.teardownError();
            LOG.warn("veth delete failed sandbox={} veth={} error={}", sandboxId, veth, e.getMessage());
            return null;
        });
        pendingLinkDeletes.put(veth, future);
        future.whenComplete((ok, e) -> pendingLinkDeletes.remove(veth, future));
    }

    /** Runs the action on the step executor, or right here once that is shut down. */
    private CompletableFuture<Void> overlapped(Runnable action) {
        try {
            return CompletableFuture.runAsync(action, stepExecutor);
        } catch (RejectedExecutionException e) {
            action.run();
            return CompletableFuture.completedFuture(null);
        }
    }

    private void awaitLinkDelete(String veth) {
        CompletableFuture<Void> pending = pendingLinkDeletes.get(veth);
        if (pending != null) {
            pending.join();
        }
    }

    private void tolerate(String sandboxId, String step, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            counters.teardownError();
            LOG.warn("teardown step failed sandbox={} step={} error={}", sandboxId, step, e.getMessage());
        }
    }

    private void applySysctls() {
        boolean ipv4 = subnets.pools().stream().anyMatch(IpPool::isIpv4);
        boolean ipv6 = subnets.pools().stream().anyMatch(p -> !p.isIpv4());
        if (config.ipForwarding() && ipv4) {
            sysctls.ensure("net/ipv4/ip_forward", "1");
        }
        if (config.ipForwarding() && ipv6) {
            sysctls.ensure("net/ipv6/conf/all/forwarding", "1");
        }
        if (ipv4) {
            // DNAT'd packets from 127.0.0.1 leave through the bridge only with route_localnet.
            sysctls.ensure("net/ipv4/conf/" + bridge.name() + "/route_localnet", "1");
        }
    }

    /** The current pools plus the subnets pods still hold addresses in (after a pod CIDR change). */
    private List<Cidr> activeSubnets() {
        Set<Cidr> active = new LinkedHashSet<>(subnets.subnets());
        for (AttachmentRecord record : store.all()) {
            if (record.kind() == AttachmentRecord.Kind.BUILTIN) {
                record.podIps().forEach(ip -> active.add(new Cidr(ip.address(), ip.prefixLength())));
            }
        }
        return List.copyOf(active);
    }

    private List<NftRules.Element> recordedElements() {
        List<NftRules.Element> elements = new ArrayList<>();
        for (AttachmentRecord record : store.all()) {
            if (record.kind() == AttachmentRecord.Kind.BUILTIN) {
                elements.addAll(PortMapper.elements(record.portMappings(), record.podIps()));
            }
        }
        return elements;
    }

    /** Gateway addresses of subnets no longer configured go once no pod holds an address in them. */
    private void removeRetiredGatewayAddresses(Map<InetAddress, String> owners) {
        if (!bridge.exists()) {
            return;
        }
        List<Cidr> current = subnets.subnets();
        boolean removed = false;
        for (BridgeDevice.BridgeAddress address : bridge.addresses()) {
            Cidr subnet = address.subnet();
            if (current.contains(subnet) || owners.keySet().stream().anyMatch(subnet::contains)) {
                continue;
            }
            bridge.removeAddress(address);
            removed = true;
        }
        if (removed) {
            nftRules.updateSubnets(activeSubnets());
        }
    }

    private static List<InetAddress> requestedAddresses(PodNetworkRequest request) {
        return request.requestedIps().stream()
                .map(text -> Addresses.parse(text.contains("/") ? text.substring(0, text.indexOf('/')) : text))
                .toList();
    }

    private static List<InetAddress> addresses(List<PodIp> ips) {
        return ips.stream().map(PodIp::address).toList();
    }
}
