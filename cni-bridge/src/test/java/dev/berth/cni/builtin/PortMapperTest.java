package dev.berth.cni.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.cni.PodIp;
import dev.berth.common.net.Addresses;
import dev.berth.common.net.PortMapping;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PortMapperTest {

    private static final List<PodIp> DUAL = List.of(
            new PodIp(Addresses.parse("10.89.0.5"), 16, Optional.empty()),
            new PodIp(Addresses.parse("fd89::5"), 64, Optional.empty()));

    @Test
    void wildcardMappingsGoToEveryFamilyBoundOnesToTheirOwn() {
        List<NftRules.Element> elements = PortMapper.elements(List.of(
                PortMapping.tcp(80, 8080),
                new PortMapping(PortMapping.Protocol.UDP, 53, 5353, "192.0.2.2"),
                new PortMapping(PortMapping.Protocol.SCTP, 9, 9999, "fd00::2"),
                new PortMapping(PortMapping.Protocol.TCP, 81, 0, "")), DUAL);

        assertEquals(List.of(
                new NftRules.Element(NftRules.HostPortMap.ANY4, "tcp . 8080", "10.89.0.5 . 80"),
                new NftRules.Element(NftRules.HostPortMap.ANY6, "tcp . 8080", "fd89::5 . 80"),
                new NftRules.Element(NftRules.HostPortMap.ADDR4, "192.0.2.2 . udp . 5353", "10.89.0.5 . 53"),
                new NftRules.Element(NftRules.HostPortMap.ADDR6, "fd00::2 . sctp . 9999", "fd89::5 . 9")),
                elements);
        assertEquals("fd89::5", elements.get(1).podAddress());
    }
}
