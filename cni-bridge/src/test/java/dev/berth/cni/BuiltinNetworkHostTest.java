package dev.berth.cni;

import static dev.berth.cni.testing.HostFixture.fetch;
import static dev.berth.cni.testing.HostFixture.ping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.cni.net.Cidr;
import dev.berth.cni.testing.HostFixture;
import dev.berth.cni.testing.NetworkLeaks;
import dev.berth.common.error.BerthException;
import dev.berth.common.net.PortMapping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The built-in network on the real host: own bridge, own subnet, own nft table, own netns pins per test. */
@Tag("host")
class BuiltinNetworkHostTest {

    private HostFixture host;
    private String bridge;
    private String subnet;
    private String gateway;
    private Path state;
    private PodNetworkConfig config;
    private PodNetwork network;

    @BeforeEach
    void setUp() {
        host = new HostFixture();
        bridge = host.bridgeName("");
        subnet = HostFixture.randomSubnetV4();
        gateway = subnet.replace(".0/24", ".1");
        state = host.tempDir("state");
        config = PodNetworkConfig.builder().mode(NetworkMode.BUILTIN).bridgeName(bridge).subnetV4(subnet)
                .confDir(host.tempDir("conf")).stateDir(state).gcGracePeriod(Duration.ZERO).build();
        host.ownNftTable(config.nftTable());
        network = open(config);
    }

    @AfterEach
    void tearDown() {
        host.close();
        assertFalse(NetworkLeaks.linkExists(bridge), "bridge left behind");
        assertFalse(NetworkLeaks.nftTableExists(config.nftTable()), "nft table left behind");
        assertEquals(List.of(), host.liveNetns(), "netns left behind");
    }

    private PodNetwork open(PodNetworkConfig cfg) {
        PodNetwork opened = PodNetwork.open(cfg);
        host.onClose(opened::close);
        // Even when a test fails half-way: detach whatever is still attached.
        host.onClose(() -> opened.collectGarbage(Set.of()));
        return opened;
    }

    private static PodNetworkRequest request(String id, Path netns, PortMapping... mappings) {
        return PodNetworkRequest.of(id, netns, "pod-" + id.substring(0, 6), "default", "uid-" + id.substring(0, 8))
                .withPortMappings(List.of(mappings));
    }

    private long ipamFiles() {
        return NetworkLeaks.allocationFiles(state.resolve("ipam"));
    }

    private long records() {
        return NetworkLeaks.allocationFiles(state.resolve("attachments"));
    }

    private void assertNothingAttached() {
        HostFixture.awaitTrue(Duration.ofSeconds(10), () -> NetworkLeaks.bridgePorts(bridge) == 0,
                "every veth off the bridge");
        assertEquals(0, ipamFiles(), "IPAM files");
        assertEquals(0, records(), "attachment records");
        assertEquals(0, NetworkLeaks.nftElements(config.nftTable()), "host port elements");
    }

    @Test
    void statusIsReadyWithoutAnyConfigFile() {
        NetworkStatus status = network.status();
        assertTrue(status.ready(), status.toString());
        assertTrue(NetworkLeaks.nftTableExists(config.nftTable()));
    }

    @Test
    void twoPodsReachEachOtherAndTheGateway() {
        Path nsA = host.netns("a");
        Path nsB = host.netns("b");
        String a = HostFixture.sandboxId();
        String b = HostFixture.sandboxId();
        PodAttachment podA = network.attach(request(a, nsA));
        PodAttachment podB = network.attach(request(b, nsB));

        assertEquals("eth0", podA.interfaceName());
        assertEquals(1, podA.ips().size());
        assertTrue(Cidr.parse(subnet).contains(podA.ips().get(0).address()), podA.toString());
        assertEquals(gateway, podA.ips().get(0).gateway().orElseThrow().getHostAddress());
        assertTrue(podA.additionalIps().isEmpty());
        assertFalse(podA.primaryIp().equals(podB.primaryIp()));
        assertEquals(podA, network.attachment(a).orElseThrow());

        ping(nsA, podB.primaryIp());
        ping(nsB, podA.primaryIp());
        ping(nsA, gateway);
        ping(nsA, "127.0.0.1");
        network.check(a);

        network.detach(a);
        network.detach(b);
        assertNothingAttached();
        assertTrue(network.attachment(a).isEmpty());
    }

    @Test
    void hostReachesPodHttpServer() {
        Path ns = host.netns("web");
        PodAttachment pod = network.attach(request(HostFixture.sandboxId(), ns));
        host.httpServer(ns, "80", "hello from pod", "http://127.0.0.1:80/");

        assertEquals("hello from pod", fetch(null, "http://" + pod.primaryIp() + ":80/"));

        network.detach(pod.sandboxId());
        assertNothingAttached();
    }

    @Test
    void hostPortAnswersOnLoopbackOnTheBridgeAddressAndFromPods() {
        Path nsWeb = host.netns("web");
        Path nsClient = host.netns("client");
        int hostPort = 20000 + HostFixture.randomInt(10000);
        PodAttachment web = network.attach(request(HostFixture.sandboxId(), nsWeb,
                PortMapping.tcp(80, hostPort), new PortMapping(PortMapping.Protocol.TCP, 81, 0, "")));
        PodAttachment client = network.attach(request(HostFixture.sandboxId(), nsClient));
        host.httpServer(nsWeb, "80", "published", "http://127.0.0.1:80/");

        assertEquals("published", fetch(null, "http://127.0.0.1:" + hostPort + "/"));
        assertEquals("published", fetch(null, "http://" + gateway + ":" + hostPort + "/"));
        // another pod through the node, and the pod itself (hairpin)
        assertEquals("published", fetch(nsClient, "http://" + gateway + ":" + hostPort + "/"));
        assertEquals("published", fetch(nsWeb, "http://" + gateway + ":" + hostPort + "/"));
        assertEquals(1, NetworkLeaks.nftElements(config.nftTable()), "only the published port is mapped");

        network.detach(web.sandboxId());
        network.detach(client.sandboxId());
        assertNothingAttached();
        assertFalse(HostFixture.wget(null, "http://127.0.0.1:" + hostPort + "/", Duration.ofSeconds(2)).succeeded(),
                "host port still answers after detach");
    }

    @Test
    void podReachesARemoteHostOnlyThroughMasquerade() {
        // The "remote host": a netns on a second bridge, with no route back to the pod subnet.
        String remoteBridge = host.bridgeName("r");
        String remoteSubnet = HostFixture.randomSubnetV4();
        String nodeSide = remoteSubnet.replace(".0/24", ".1");
        String remoteAddress = remoteSubnet.replace(".0/24", ".2");
        Path remote = host.netns("remote");
        String remoteVeth = "bt" + host.tag() + "rv";
        HostFixture.onHost("ip", "link", "add", remoteBridge, "type", "bridge");
        HostFixture.onHost("ip", "addr", "add", nodeSide + "/24", "dev", remoteBridge);
        HostFixture.onHost("ip", "link", "set", remoteBridge, "up");
        assertTrue(HostFixture.onHost("ip", "link", "add", remoteVeth, "type", "veth", "peer", "name", "eth0",
                "netns", remote.toString()).succeeded());
        HostFixture.onHost("ip", "link", "set", remoteVeth, "master", remoteBridge, "up");
        HostFixture.inNetns(remote, "ip", "addr", "add", remoteAddress + "/24", "dev", "eth0");
        HostFixture.inNetns(remote, "ip", "link", "set", "eth0", "up");
        HostFixture.inNetns(remote, "ip", "link", "set", "lo", "up");
        host.peerEchoServer(remote, "0.0.0.0:8080", "http://127.0.0.1:8080/");

        Path ns = host.netns("pod");
        PodAttachment pod = network.attach(request(HostFixture.sandboxId(), ns));
        String seenByRemote = fetch(ns, "http://" + remoteAddress + ":8080/cgi-bin/peer");

        assertEquals(nodeSide, seenByRemote.strip().replace("::ffff:", ""),
                "the remote sees the node's address, not the pod's " + pod.primaryIp());
        network.detach(pod.sandboxId());
        assertNothingAttached();
    }

    @Test
    void dualStackPodsGetAnAddressOfEachFamily() {
        assumeTrue(HostFixture.ipv6Available(), "IPv6 is disabled on this host");
        network.close();
        String subnetV6 = HostFixture.randomSubnetV6();
        // Forwarding stays as it is: pod-to-pod and host-to-pod traffic does not need it.
        PodNetworkConfig dual = config.toBuilder().subnetV6(subnetV6).ipForwarding(false).build();
        PodNetwork dualNetwork = open(dual);
        Path nsA = host.netns("a");
        Path nsB = host.netns("b");
        PodAttachment podA = dualNetwork.attach(request(HostFixture.sandboxId(), nsA));
        PodAttachment podB = dualNetwork.attach(request(HostFixture.sandboxId(), nsB, PortMapping.tcp(80, 20080)));

        assertEquals(2, podA.ips().size(), podA.toString());
        assertTrue(podA.ips().get(0).isIpv4(), "IPv4 is primary");
        assertFalse(podA.ips().get(1).isIpv4());
        assertTrue(Cidr.parse(subnetV6).contains(podA.ips().get(1).address()));
        assertEquals(1, podA.additionalIps().size());
        String v6A = podA.additionalIps().get(0);
        String v6B = podB.additionalIps().get(0);

        assertTrue(HostFixture.inNetns(nsA, "busybox", "ping", "-6", "-c", "1", "-W", "2", v6B).succeeded());
        assertTrue(HostFixture.inNetns(nsB, "busybox", "ping", "-6", "-c", "1", "-W", "2", v6A).succeeded());
        host.httpServer(nsB, "80", "v6 hello", "http://127.0.0.1:80/");
        assertEquals("v6 hello", fetch(null, "http://[" + v6B + "]:80/"));
        assertEquals(2, NetworkLeaks.nftElements(dual.nftTable()), "one host port element per family");

        dualNetwork.detach(podA.sandboxId());
        dualNetwork.detach(podB.sandboxId());
        assertNothingAttached();
    }

    @Test
    void twoHundredAttachDetachCyclesLeakNothing() {
        long linksBefore = hostLinkCount();
        for (int i = 0; i < 200; i++) {
            Path ns = host.netns("cycle" + i);
            String id = HostFixture.sandboxId();
            network.attach(request(id, ns, PortMapping.tcp(80, 21000 + i)));
            network.detach(id);
            host.deleteNetns(ns);
        }
        network.close();
        assertNothingAttached();
        assertEquals(List.of(), host.liveNetns());
        HostFixture.awaitTrue(Duration.ofSeconds(10), () -> hostLinkCount() == linksBefore,
                "host link count back to " + linksBefore);
        assertEquals(200, network.stats().attaches());
        assertEquals(200, network.stats().detaches());
        assertEquals(0, network.stats().teardownErrors());
    }

    private static long hostLinkCount() {
        try (var links = Files.list(Path.of("/sys/class/net"))) {
            return links.filter(l -> l.getFileName().toString().startsWith("bv")).count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void detachSucceedsWhenTheNetnsIsGoneAndReleasesTheAddress() {
        Path ns = host.netns("gone");
        String id = HostFixture.sandboxId();
        network.attach(request(id, ns, PortMapping.tcp(80, 22000 + HostFixture.randomInt(1000))));
        host.deleteNetns(ns);

        network.detach(id);
        network.detach(id);
        network.detach(HostFixture.sandboxId());
        // An address whose attach died before its record was written is found by its owner.
        String crashed = HostFixture.sandboxId();
        HostFixture.write(state.resolve("ipam").resolve(subnet.replace(".0/24", ".200")), crashed + "\neth0\n");
        network.detach(crashed);

        assertNothingAttached();
        assertEquals(4, network.stats().detaches());
    }

    @Test
    void garbageCollectionRemovesWhatDeadSandboxesHeld() {
        Path nsLive = host.netns("live");
        Path nsDead = host.netns("dead");
        String live = HostFixture.sandboxId();
        String dead = HostFixture.sandboxId();
        int deadPort = 23000 + HostFixture.randomInt(1000);
        PodAttachment livePod = network.attach(request(live, nsLive));
        network.attach(request(dead, nsDead, PortMapping.tcp(80, deadPort)));
        // An address a crash left without any record.
        HostFixture.write(state.resolve("ipam").resolve(subnet.replace(".0/24", ".250")), "ghost\neth0\n");
        assertEquals(3, ipamFiles());

        network.collectGarbage(Set.of(live));

        assertEquals(1, ipamFiles());
        assertEquals(1, records());
        assertEquals(1, NetworkLeaks.bridgePorts(bridge));
        assertEquals(0, NetworkLeaks.nftElements(config.nftTable()));
        assertTrue(network.attachment(dead).isEmpty());
        ping(nsLive, gateway);
        assertEquals(livePod, network.attachment(live).orElseThrow());
        assertEquals(2, network.stats().garbageCollected());

        network.collectGarbage(Set.of());
        assertNothingAttached();
    }

    @Test
    void periodicGarbageCollectionAsksForTheLiveSetEachTime() {
        Path ns = host.netns("periodic");
        String id = HostFixture.sandboxId();
        network.attach(request(id, ns));
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();

        network.scheduleGarbageCollection(() -> {
            asked.incrementAndGet();
            return Set.of();
        }, Duration.ofMillis(50));

        HostFixture.awaitTrue(Duration.ofSeconds(10), () -> network.attachment(id).isEmpty(), "collected");
        assertTrue(asked.get() >= 1);
        assertNothingAttached();
    }

    @Test
    void concurrentAttachesAndDetachesShareNothing() throws Exception {
        int pods = 8;
        List<Path> netns = new java.util.ArrayList<>();
        for (int i = 0; i < pods; i++) {
            netns.add(host.netns("par" + i));
        }
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<PodAttachment>> attaching = new java.util.ArrayList<>();
            for (int i = 0; i < pods; i++) {
                int port = 29500 + i;
                Path ns = netns.get(i);
                attaching.add(threads.submit(() -> network.attach(request(HostFixture.sandboxId(), ns,
                        PortMapping.tcp(80, port)))));
            }
            List<PodAttachment> attached = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<PodAttachment> future : attaching) {
                attached.add(future.get());
            }
            assertEquals(pods, attached.stream().map(PodAttachment::primaryIp).distinct().count());
            assertEquals(pods, NetworkLeaks.nftElements(config.nftTable()));
            ping(netns.get(0), attached.get(pods - 1).primaryIp());

            List<java.util.concurrent.Future<?>> detaching = new java.util.ArrayList<>();
            for (PodAttachment attachment : attached) {
                detaching.add(threads.submit(() -> network.detach(attachment.sandboxId())));
            }
            for (java.util.concurrent.Future<?> future : detaching) {
                future.get();
            }
        } finally {
            threads.shutdown();
        }
        assertNothingAttached();
    }

    @Test
    void garbageCollectionSparesFreshAttachmentsWithinTheGracePeriod() {
        network.close();
        PodNetwork graceful = open(config.toBuilder().gcGracePeriod(Duration.ofMinutes(5)).build());
        Path ns = host.netns("fresh");
        String id = HostFixture.sandboxId();
        graceful.attach(request(id, ns));

        graceful.collectGarbage(Set.of());

        assertTrue(graceful.attachment(id).isPresent());
        assertEquals(1, ipamFiles());
        graceful.detach(id);
        assertNothingAttached();
    }

    @Test
    void aHostPortPublishedByAnotherPodIsAClearError() {
        int hostPort = 24000 + HostFixture.randomInt(1000);
        Path nsFirst = host.netns("first");
        Path nsSecond = host.netns("second");
        String first = HostFixture.sandboxId();
        network.attach(request(first, nsFirst, PortMapping.tcp(80, hostPort)));

        BerthException e = assertThrows(BerthException.class,
                () -> network.attach(request(HostFixture.sandboxId(), nsSecond, PortMapping.tcp(8080, hostPort))));

        assertEquals(BerthException.Kind.ALREADY_EXISTS, e.kind());
        assertTrue(e.getMessage().contains("host port " + hostPort + "/tcp is already published by pod default/pod-"
                + first.substring(0, 6)), e.getMessage());
        assertEquals(1, ipamFiles(), "the refused pod got no address");
        assertEquals(1, NetworkLeaks.bridgePorts(bridge));
        // UDP on the same number is another port.
        String udp = HostFixture.sandboxId();
        network.attach(request(udp, nsSecond,
                new PortMapping(PortMapping.Protocol.UDP, 53, hostPort, "")));
        network.detach(udp);
        network.detach(first);
        assertNothingAttached();
    }

    @Test
    void sctpAndHostIpBoundMappingsAreProgrammed() {
        Path ns = host.netns("sctp");
        String id = HostFixture.sandboxId();
        network.attach(request(id, ns, new PortMapping(PortMapping.Protocol.SCTP, 9000, 25000, ""),
                new PortMapping(PortMapping.Protocol.TCP, 80, 25001, "127.0.0.1")));
        String listing = HostFixture.onHost("nft", "list", "table", "inet", config.nftTable()).stdoutText();
        assertTrue(listing.contains("sctp . 25000"), listing);
        assertTrue(listing.contains("127.0.0.1 . tcp . 25001"), listing);
        network.detach(id);
        assertNothingAttached();
    }

    @Test
    void aRestartKeepsHostPortsAndLaterDetachesStillWork() {
        Path ns = host.netns("restart");
        String id = HostFixture.sandboxId();
        int hostPort = 26000 + HostFixture.randomInt(1000);
        network.attach(request(id, ns, PortMapping.tcp(80, hostPort)));
        host.httpServer(ns, "80", "survives", "http://127.0.0.1:80/");
        network.close();
        // As after a crash that also lost the table (someone flushed it): the records rebuild it.
        HostFixture.onHost("nft", "delete", "table", "inet", config.nftTable());

        PodNetwork reopened = open(config);
        assertTrue(reopened.attachment(id).isPresent());
        // The table is rebuilt in the background after open; status answers once that is done.
        assertTrue(reopened.status().ready(), reopened.status().toString());
        assertEquals("survives", fetch(null, "http://127.0.0.1:" + hostPort + "/"));
        BerthException taken = assertThrows(BerthException.class, () -> reopened.attach(
                request(HostFixture.sandboxId(), host.netns("other"), PortMapping.tcp(80, hostPort))));
        assertEquals(BerthException.Kind.ALREADY_EXISTS, taken.kind());

        reopened.detach(id);
        assertNothingAttached();
    }

    @Test
    void aFailedAttachUndoesEveryStep() {
        Path notANetns = host.tempDir("fake").resolve("netns");
        HostFixture.write(notANetns, "");
        String id = HostFixture.sandboxId();

        BerthException e = assertThrows(BerthException.class,
                () -> network.attach(request(id, notANetns, PortMapping.tcp(80, 27000))));

        assertEquals(BerthException.Kind.INTERNAL, e.kind());
        assertTrue(e.getMessage().contains("configure pod interface"), e.getMessage());
        assertNothingAttached();
        assertFalse(hostLinkExistsFor(id));
        assertEquals(1, network.stats().attachFailures());
        // The port it asked for is free again.
        Path ns = host.netns("ok");
        network.attach(request(id, ns, PortMapping.tcp(80, 27000)));
        network.detach(id);
        assertNothingAttached();
    }

    private boolean hostLinkExistsFor(String sandboxId) {
        try (var links = Files.list(Path.of("/sys/class/net"))) {
            return links.anyMatch(l -> {
                try {
                    return Files.readString(l.resolve("ifalias")).strip().equals("berth:" + sandboxId);
                } catch (java.io.IOException ex) {
                    return false;
                }
            });
        } catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    @Test
    void detachStillWorksAfterClose() {
        Path ns = host.netns("closed");
        String id = HostFixture.sandboxId();
        network.attach(request(id, ns, PortMapping.tcp(80, 27500)));
        network.close();

        network.detach(id);

        assertNothingAttached();
        BerthException refused = assertThrows(BerthException.class,
                () -> network.attach(request(HostFixture.sandboxId(), ns)));
        assertEquals(BerthException.Kind.FAILED_PRECONDITION, refused.kind());
    }

    @Test
    void missingNetnsIsAnInvalidArgument() {
        BerthException e = assertThrows(BerthException.class, () -> network.attach(
                request(HostFixture.sandboxId(), Path.of("/run/netns/berthtest-missing-" + host.tag()))));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, e.kind());
    }

    @Test
    void aNewPodCidrAppliesToNewPodsAndTheOldGatewayGoesWithTheLastOldPod() {
        Path nsOld = host.netns("old");
        Path nsNew = host.netns("new");
        PodAttachment oldPod = network.attach(request(HostFixture.sandboxId(), nsOld));
        String newSubnet = HostFixture.randomSubnetV4();
        String newGateway = newSubnet.replace(".0/24", ".1");

        network.updatePodCidr(newSubnet);
        PodAttachment newPod = network.attach(request(HostFixture.sandboxId(), nsNew));

        assertTrue(Cidr.parse(newSubnet).contains(newPod.ips().get(0).address()), newPod.toString());
        ping(nsNew, newGateway);
        ping(nsOld, gateway);
        ping(nsNew, oldPod.primaryIp());
        network.detach(oldPod.sandboxId());
        network.collectGarbage(Set.of(newPod.sandboxId()));
        String addresses = HostFixture.onHost("ip", "-o", "addr", "show", "dev", bridge).stdoutText();
        assertFalse(addresses.contains(gateway + "/24"), addresses);
        assertTrue(addresses.contains(newGateway + "/24"), addresses);
        assertTrue(Files.exists(state.resolve("pod-cidr")));
        network.detach(newPod.sandboxId());
        assertNothingAttached();
    }
}
