package dev.berth.cni.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.common.error.BerthException;
import dev.berth.common.net.PortMapping.Protocol;
import dev.berth.common.net.PortMapping;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostPortRegistryTest {

    @Test
    void overlappingPublishedPortsAreRefusedWithTheHolderNamed() {
        HostPortRegistry registry = new HostPortRegistry();
        registry.reserve("a", "ns/web", List.of(new PortMapping(Protocol.TCP, 80, 8080, "127.0.0.1")));

        BerthException wildcard = assertThrows(BerthException.class,
                () -> registry.reserve("b", "ns/other", List.of(PortMapping.tcp(80, 8080))));
        assertEquals(BerthException.Kind.ALREADY_EXISTS, wildcard.kind());
        assertEquals("host port 8080/tcp is already published by pod ns/web (sandbox a)", wildcard.getMessage());

        registry.reserve("b", "ns/other", List.of(new PortMapping(Protocol.TCP, 80, 8080, "192.0.2.2"),
                new PortMapping(Protocol.UDP, 80, 8080, ""), new PortMapping(Protocol.TCP, 80, 0, "")));
        registry.release("a");
        registry.reserve("c", "ns/third", List.of(new PortMapping(Protocol.TCP, 80, 8080, "127.0.0.1")));
    }

    @Test
    void aPodMayNotPublishOnePortTwice() {
        BerthException e = assertThrows(BerthException.class, () -> new HostPortRegistry().reserve("a", "ns/p",
                List.of(PortMapping.tcp(80, 9000), PortMapping.tcp(81, 9000))));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, e.kind());
    }
}
