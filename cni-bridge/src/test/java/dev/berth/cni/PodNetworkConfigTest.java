package dev.berth.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.common.error.BerthException;
import dev.berth.common.net.PortMapping;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodNetworkConfigTest {

    @Test
    void defaultsAreBerthsOwn() {
        PodNetworkConfig config = PodNetworkConfig.defaults();
        assertEquals(NetworkMode.AUTO, config.mode());
        assertEquals("berth0", config.bridgeName());
        assertEquals("10.89.0.0/16", config.subnetV4());
        assertEquals("berth", config.nftTable());
        assertEquals(Path.of("/etc/cni/net.d"), config.confDir());
        assertEquals(List.of(Path.of("/opt/cni/bin"), Path.of("/usr/lib/cni")), config.binDirs());
        assertEquals(Path.of("/var/lib/berth/cni"), config.stateDir());
    }

    @Test
    void theTableNameFollowsTheBridgeUnlessSet() {
        assertEquals("berth_bt12", PodNetworkConfig.defaults().toBuilder().bridgeName("bt12").build().nftTable());
        assertEquals("mine", PodNetworkConfig.builder().nftTable("mine").build().toBuilder().bridgeName("x")
                .build().nftTable());
    }

    @Test
    void badValuesAreInvalidArguments() {
        assertThrows(BerthException.class, () -> PodNetworkConfig.builder().bridgeName("way-too-long-bridge").build());
        assertThrows(BerthException.class, () -> PodNetworkConfig.builder().subnetV4("fd00::/64").build());
        assertThrows(BerthException.class, () -> PodNetworkConfig.builder().subnetV4("").build());
        assertThrows(BerthException.class, () -> PodNetworkConfig.builder().nftTable("no spaces").build());
        assertThrows(BerthException.class, () -> PodNetworkRequest.of("../x", Path.of("/x"), "p", "n", "u"));
        assertThrows(BerthException.class, () -> new PortMapping(PortMapping.Protocol.TCP, 0, 80, ""));
    }
}
