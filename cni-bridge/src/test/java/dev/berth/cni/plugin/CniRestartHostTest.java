package dev.berth.cni.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.cni.NetworkMode;
import dev.berth.cni.PodNetwork;
import dev.berth.cni.PodNetworkConfig;
import dev.berth.cni.attach.NetworkCounters;
import dev.berth.cni.testing.DebianChain;
import dev.berth.cni.testing.HostFixture;
import dev.berth.cni.testing.NetworkLeaks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** berth died after the plugins' ADD ran but before it cached the result: a later detach or GC still cleans up. */
@Tag("host")
class CniRestartHostTest {

    private final HostFixture host = new HostFixture();
    private final Set<String> natChainsBefore = DebianChain.natChains();
    private final Set<String> nftTablesBefore = DebianChain.nftTables();

    @AfterEach
    void tearDown() {
        host.close();
        DebianChain.removeSharedChainsCreatedSince(natChainsBefore);
        DebianChain.removeEmptyNatTablesCreatedSince(nftTablesBefore);
        assertEquals(List.of(), host.liveNetns());
    }

    @Test
    void anAddInterruptedByARestartIsUndoneByDetachAndByGarbageCollection() {
        String bridge = host.bridgeName("");
        String network = "berthtest-" + host.tag();
        Path conf = host.tempDir("conf");
        Path hostLocal = host.tempDir("host-local");
        Path state = host.tempDir("state");
        DebianChain.write(conf, network, bridge, HostFixture.randomSubnetV4(), hostLocal);
        PodNetworkConfig config = PodNetworkConfig.builder().mode(NetworkMode.PLUGIN).bridgeName(bridge)
                .confDir(conf).binDirs(List.of(DebianChain.BIN_DIR)).stateDir(state)
                .gcGracePeriod(Duration.ZERO).build();
        String detached = HostFixture.sandboxId();
        String collected = HostFixture.sandboxId();
        Path nsDetached = host.netns("detached");
        Path nsCollected = host.netns("collected");
        interruptedAdd(config, detached, nsDetached);
        interruptedAdd(config, collected, nsCollected);
        assertEquals(2, NetworkLeaks.allocationFiles(hostLocal.resolve(network)));

        PodNetwork restarted = PodNetwork.open(config);
        host.onClose(restarted::close);
        restarted.detach(detached);
        assertEquals(1, NetworkLeaks.allocationFiles(hostLocal.resolve(network)));
        restarted.collectGarbage(Set.of());

        assertEquals(0, NetworkLeaks.allocationFiles(hostLocal.resolve(network)));
        assertEquals(0, NetworkLeaks.allocationFiles(state.resolve("cni-cache")));
        assertEquals(0, NetworkLeaks.bridgePorts(bridge));
        assertFalse(DebianChain.natChains().stream().anyMatch(c -> c.startsWith("CNI-DN-")
                && !natChainsBefore.contains(c)));
    }

    /** What a crash leaves: the intent cached, the whole chain's ADD done, no result cached, no record. */
    private static void interruptedAdd(PodNetworkConfig config, String sandboxId, Path netns) {
        ObjectMapper json = new ObjectMapper();
        CniConfigList list = new CniConfigLoader(config.confDir(), json).load().config().orElseThrow();
        CniInvocation invocation = new CniInvocation(sandboxId, netns.toString(), "eth0",
                "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=crashed", json.createObjectNode());
        new CniResultCache(config.stateDir().resolve("cni-cache"), json).save(new CniCacheEntry(sandboxId,
                list.name(), list.json(), invocation.netns(), "eth0", invocation.cniArgs(),
                invocation.capabilityArgs(), null, 0, System.currentTimeMillis()));
        new CniPluginChain(new CniPluginInvoker(config.binDirs(), Duration.ofSeconds(30), json,
                new NetworkCounters())).add(list, invocation);
    }
}
