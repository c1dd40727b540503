package dev.berth.cni;

import static dev.berth.cni.testing.HostFixture.fetch;
import static dev.berth.cni.testing.HostFixture.ping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cni.net.Cidr;
import dev.berth.cni.testing.DebianChain;
import dev.berth.cni.testing.FakePlugin;
import dev.berth.cni.testing.HostFixture;
import dev.berth.cni.testing.NetworkLeaks;
import dev.berth.common.error.BerthException;
import dev.berth.common.net.DnsSettings;
import dev.berth.common.net.PortMapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** CNI plugin mode against Debian's containernetworking-plugins 1.1.1 and a scriptable fake plugin. */
@Tag("host")
class CniPluginNetworkHostTest {

    private HostFixture host;
    private Set<String> natChainsBefore;
    private Set<String> nftTablesBefore;
    private String bridge;
    private String subnet;
    private String gateway;
    private String networkName;
    private Path conf;
    private Path bin;
    private Path hostLocalDir;
    private Path state;

    @BeforeEach
    void setUp() {
        host = new HostFixture();
        natChainsBefore = DebianChain.natChains();
        nftTablesBefore = DebianChain.nftTables();
        bridge = host.bridgeName("");
        subnet = HostFixture.randomSubnetV4();
        gateway = subnet.replace(".0/24", ".1");
        networkName = "berthtest-" + host.tag();
        conf = host.tempDir("conf");
        bin = host.tempDir("bin");
        hostLocalDir = host.tempDir("host-local");
        state = host.tempDir("state");
    }

    @AfterEach
    void tearDown() {
        host.close();
        Set<String> leftover = DebianChain.natChains();
        DebianChain.removeSharedChainsCreatedSince(natChainsBefore);
        DebianChain.removeEmptyNatTablesCreatedSince(nftTablesBefore);
        assertFalse(leftover.stream().anyMatch(c -> c.startsWith("CNI-DN-") && !natChainsBefore.contains(c)),
                "portmap chains of a pod left behind: " + leftover);
        assertFalse(NetworkLeaks.linkExists(bridge), "bridge left behind");
        assertEquals(List.of(), host.liveNetns(), "netns left behind");
    }

    private PodNetworkConfig.Builder config(NetworkMode mode) {
        return PodNetworkConfig.builder().mode(mode).bridgeName(bridge).subnetV4(subnet).confDir(conf)
                .binDirs(List.of(bin, DebianChain.BIN_DIR)).stateDir(state).gcGracePeriod(Duration.ZERO);
    }

    private PodNetwork open(PodNetworkConfig cfg) {
        host.ownNftTable(cfg.nftTable());
        PodNetwork network = PodNetwork.open(cfg);
        host.onClose(network::close);
        // Even when a test fails half-way: detach whatever is still attached, so the plugins undo their rules.
        host.onClose(() -> network.collectGarbage(Set.of()));
        return network;
    }

    private static PodNetworkRequest request(String id, Path netns, PortMapping... mappings) {
        return PodNetworkRequest.of(id, netns, "pod-" + id.substring(0, 6), "default", "uid-" + id.substring(0, 8))
                .withPortMappings(List.of(mappings));
    }

    private long hostLocalFiles() {
        return NetworkLeaks.allocationFiles(hostLocalDir.resolve(networkName));
    }

    private void assertNothingCached() {
        assertEquals(0, NetworkLeaks.allocationFiles(state.resolve("cni-cache")), "cached CNI results");
        assertEquals(0, NetworkLeaks.allocationFiles(state.resolve("attachments")), "attachment records");
    }

    /**
     * A conflist of the Debian bridge + host-local and then the given plugin configs. No ipMasq: bridge 1.1.1
     * finds its masquerade rules through the pod's interface, so a DEL after the netns is gone leaks them.
     */
    private void writeChainWith(String cniVersion, String... extraPlugins) {
        String extra = extraPlugins.length == 0 ? "" : ", " + String.join(", ", extraPlugins);
        HostFixture.write(conf.resolve("10-test.conflist"), """
                {"cniVersion": "%s", "name": "%s", "plugins": [
                  {"type": "bridge", "bridge": "%s", "isGateway": true, "ipMasq": false,
                   "ipam": {"type": "host-local", "dataDir": "%s", "ranges": [[{"subnet": "%s"}]],
                            "routes": [{"dst": "0.0.0.0/0"}]}}%s]}
                """.formatted(cniVersion, networkName, bridge, hostLocalDir, subnet, extra));
    }

    @Test
    void theDebianChainPassesTheBuiltinNetworksAssertions() {
        DebianChain.write(conf, networkName, bridge, subnet, hostLocalDir);
        PodNetwork network = open(config(NetworkMode.PLUGIN).build());
        assertTrue(network.status().ready(), network.status().toString());
        Path nsA = host.netns("a");
        Path nsB = host.netns("b");
        int hostPort = 28000 + HostFixture.randomInt(1000);
        PodAttachment podA = network.attach(request(HostFixture.sandboxId(), nsA, PortMapping.tcp(80, hostPort)));
        PodAttachment podB = network.attach(request(HostFixture.sandboxId(), nsB));

        assertEquals(networkName, podA.network());
        assertEquals(1, podA.ips().size(), podA.toString());
        assertTrue(Cidr.parse(subnet).contains(podA.ips().get(0).address()));
        assertEquals(gateway, podA.ips().get(0).gateway().orElseThrow().getHostAddress());
        assertEquals(2, hostLocalFiles());
        ping(nsA, podB.primaryIp());
        ping(nsB, podA.primaryIp());
        ping(nsA, gateway);
        host.httpServer(nsA, "80", "via portmap", "http://127.0.0.1:80/");
        assertEquals("via portmap", fetch(null, "http://" + podA.primaryIp() + ":80/"));
        assertEquals("via portmap", fetch(null, "http://127.0.0.1:" + hostPort + "/"));
        assertEquals("via portmap", fetch(null, "http://" + gateway + ":" + hostPort + "/"));
        // No network.check() here: portmap 1.1.1's CHECK looks for IPv6 chains it never made and fails.

        network.detach(podA.sandboxId());
        network.detach(podB.sandboxId());
        network.detach(podB.sandboxId());
        assertEquals(0, hostLocalFiles(), "host-local addresses left");
        assertNothingCached();
        HostFixture.awaitTrue(Duration.ofSeconds(10), () -> NetworkLeaks.bridgePorts(bridge) == 0, "no veths");
        assertEquals(0, network.stats().pluginErrors());
    }

    @Test
    void readinessFollowsTheConfDir() throws IOException {
        PodNetwork network = open(config(NetworkMode.PLUGIN).build());
        NetworkStatus empty = network.status();
        assertFalse(empty.ready());
        assertEquals("NetworkPluginNotReady", empty.reason());
        assertTrue(empty.message().contains(conf.toString()), empty.message());
        BerthException refused = assertThrows(BerthException.class,
                () -> network.attach(request(HostFixture.sandboxId(), host.netns("early"))));
        assertEquals(BerthException.Kind.FAILED_PRECONDITION, refused.kind());

        // Written elsewhere and renamed in, as installers do.
        Path staged = host.tempDir("staging").resolve("10-net.conflist");
        DebianChain.write(staged.getParent(), networkName, bridge, subnet, hostLocalDir);
        Files.move(staged.getParent().resolve("10-" + networkName + ".conflist"), conf.resolve("10-net.conflist"));
        HostFixture.awaitTrue(Duration.ofSeconds(10), () -> network.status().ready(), "ready after conflist");

        Files.delete(conf.resolve("10-net.conflist"));
        HostFixture.awaitTrue(Duration.ofSeconds(10), () -> !network.status().ready(), "not ready again");

        HostFixture.write(conf.resolve("20-missing.conflist"), """
                {"cniVersion": "1.0.0", "name": "x", "plugins": [{"type": "no-such-plugin-%s"}]}
                """.formatted(host.tag()));
        HostFixture.awaitTrue(Duration.ofSeconds(10),
                () -> network.status().message().contains("no-such-plugin-" + host.tag()), "missing binary named");
        assertFalse(network.status().ready());
    }

    @Test
    void autoModeUsesTheBuiltinNetworkUntilAConflistAppears() {
        PodNetwork network = open(config(NetworkMode.AUTO).subnetV4(HostFixture.randomSubnetV4())
                .bridgeName(host.bridgeName("b")).build());
        assertTrue(network.status().ready());
        Path nsBuiltin = host.netns("builtin");
        PodAttachment builtinPod = network.attach(request(HostFixture.sandboxId(), nsBuiltin));
        assertEquals("builtin", builtinPod.network());

        DebianChain.write(conf, networkName, bridge, subnet, hostLocalDir);
        HostFixture.awaitTrue(Duration.ofSeconds(10), () -> network.status().message().contains(networkName),
                "conf dir config in use");
        Path nsPlugin = host.netns("plugin");
        PodAttachment pluginPod = network.attach(request(HostFixture.sandboxId(), nsPlugin));
        assertEquals(networkName, pluginPod.network());
        ping(nsBuiltin, builtinPod.ips().get(0).gateway().orElseThrow().getHostAddress());

        network.detach(builtinPod.sandboxId());
        network.detach(pluginPod.sandboxId());
        assertEquals(0, hostLocalFiles());
        assertNothingCached();
        assertEquals(0, NetworkLeaks.allocationFiles(state.resolve("ipam")));
    }

    @Test
    void detachSucceedsWhenTheNetnsIsGoneAndAPluginFails() {
        FakePlugin.install(bin, "flaky");
        writeChainWith("1.0.0", "{\"type\": \"flaky\", \"mode\": \"fail-del\"}");
        PodNetwork network = open(config(NetworkMode.PLUGIN).build());
        Path ns = host.netns("gone");
        String id = HostFixture.sandboxId();
        network.attach(request(id, ns));
        assertEquals(1, hostLocalFiles());
        host.deleteNetns(ns);

        network.detach(id);

        assertEquals(0, hostLocalFiles(), "the IPAM plugin ran despite the failure before it");
        assertTrue(network.attachment(id).isEmpty());
        assertEquals(1, network.stats().pluginErrors());
        assertEquals(1, network.stats().teardownErrors());
        // The failed DEL is retried by garbage collection a few times, then given up.
        for (int i = 0; i < 3; i++) {
            network.collectGarbage(Set.of());
        }
        assertNothingCached();
        long dels = FakePlugin.calls(bin).stream().filter(c -> c.startsWith("DEL " + id)).count();
        assertEquals(3, dels);
    }

    @Test
    void aFailedAddKeepsThePluginsCodeAndMessageAndReleasesTheAddress() {
        FakePlugin.install(bin, "refuser");
        writeChainWith("1.0.0", "{\"type\": \"refuser\", \"mode\": \"fail-add\"}");
        PodNetwork network = open(config(NetworkMode.PLUGIN).build());
        String id = HostFixture.sandboxId();

        BerthException e = assertThrows(BerthException.class,
                () -> network.attach(request(id, host.netns("refused"))));

        assertEquals(BerthException.Kind.INTERNAL, e.kind());
        assertTrue(e.getMessage().contains("refuser ADD failed: fake refuses (code 123): asked to fail"),
                e.getMessage());
        assertEquals(0, hostLocalFiles(), "the DEL after the failed ADD released the address");
        assertNothingCached();
        assertTrue(FakePlugin.calls(bin).stream().anyMatch(c -> c.startsWith("DEL " + id)));
        HostFixture.awaitTrue(Duration.ofSeconds(10), () -> NetworkLeaks.bridgePorts(bridge) == 0, "no veths");
    }

    @Test
    void capabilityArgumentsReachOnlyPluginsThatDeclareThem() {
        FakePlugin.install(bin, "capable");
        FakePlugin.install(bin, "plain");
        writeChainWith("1.0.0",
                "{\"type\": \"capable\", \"capabilities\": {\"portMappings\": true, \"dns\": true}}",
                "{\"type\": \"plain\"}");
        PodNetwork network = open(config(NetworkMode.PLUGIN).build());
        String id = HostFixture.sandboxId();
        network.attach(request(id, host.netns("caps"), PortMapping.tcp(80, 29080))
                .withDns(new DnsSettings(List.of("10.0.0.10"), List.of("svc.local"), List.of("ndots:5")))
                .withBandwidth(new Bandwidth(1000, 1000, 0, 0)));
        network.check(id);
        network.detach(id);

        List<String> adds = FakePlugin.calls(bin).stream().filter(c -> c.startsWith("ADD")).toList();
        assertEquals(2, adds.size(), adds.toString());
        assertTrue(adds.get(0).contains("\"portMappings\":[{\"hostPort\":29080,\"containerPort\":80,"
                + "\"protocol\":\"tcp\"}]"), adds.get(0));
        assertTrue(adds.get(0).contains("\"servers\":[\"10.0.0.10\"]"), adds.get(0));
        assertFalse(adds.get(0).contains("bandwidth"), adds.get(0));
        assertTrue(adds.get(0).contains("\"prev\":true"), "chained prevResult");
        assertTrue(adds.get(1).contains("\"runtimeConfig\":null"), adds.get(1));
        assertEquals(2, FakePlugin.calls(bin).stream().filter(c -> c.startsWith("CHECK " + id)
                && c.contains("\"prev\":true")).count(), "CHECK with the cached result, per plugin");
        assertEquals(0, hostLocalFiles());
    }

    @Test
    void specOneOneConfigsGetGarbageCollectionAndStatus() {
        FakePlugin.install(bin, "recorder");
        HostFixture.write(conf.resolve("10-fake.conflist"), """
                {"cniVersion": "1.0.0", "cniVersions": ["1.0.0", "1.1.0", "9.9.9"], "name": "fake11",
                 "plugins": [{"type": "recorder", "fakeAddress": "10.9.8.7/24"}]}
                """);
        PodNetwork network = open(config(NetworkMode.PLUGIN).build());
        assertTrue(network.status().ready(), network.status().toString());
        String live = HostFixture.sandboxId();
        String dead = HostFixture.sandboxId();
        PodAttachment attachment = network.attach(request(live, host.netns("live")));
        network.attach(request(dead, host.netns("dead")));
        assertEquals("10.9.8.7", attachment.primaryIp());

        network.collectGarbage(Set.of(live));

        List<String> calls = FakePlugin.calls(bin);
        assertTrue(calls.contains("DEL " + dead + " {\"prev\":true,\"valid\":null,\"runtimeConfig\":null}"),
                calls.toString());
        assertTrue(calls.contains("GC - {\"prev\":false,\"valid\":[{\"containerID\":\"" + live
                + "\",\"ifname\":\"eth0\"}],\"runtimeConfig\":null}"), calls.toString());
        assertTrue(calls.stream().anyMatch(c -> c.startsWith("STATUS")), calls.toString());
        assertTrue(network.attachment(dead).isEmpty());
        assertTrue(network.attachment(live).isPresent());

        HostFixture.write(bin.resolve("unavailable"), "");
        HostFixture.awaitTrue(Duration.ofSeconds(15), () -> !network.status().ready(), "STATUS failure seen");
        assertTrue(network.status().message().contains("fake not available (code 50)"),
                network.status().message());
        network.detach(live);
        assertNothingCached();
    }
}
