package dev.berth.runtime.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NetDevTest {

    private static final String CONTENT = """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                lo:    1200      12    0    0    0     0          0         0     1200      12    0    0    0     0       0          0
              eth0: 1081234     812    3    0    0     0          0         0  1101234     790    1    0    0     0       0          0
               net1:      10       1    0    0    0     0          0         0       20       2    0    0    0     0       0          0
            """;

    @Test
    void countersComeFromTheirColumns() {
        List<InterfaceCounters> interfaces = NetDev.parse(CONTENT);
        assertEquals(List.of(new InterfaceCounters("lo", 1200, 0, 1200, 0),
                new InterfaceCounters("eth0", 1_081_234, 3, 1_101_234, 1),
                new InterfaceCounters("net1", 10, 0, 20, 0)), interfaces);
    }

    @Test
    void thePodsInterfaceIsTheDefaultAndLoopbackIsLeftOut() {
        PodNetworkUsage usage = PodNetworkUsage.of(7, NetDev.parse(CONTENT));
        assertEquals("eth0", usage.defaultInterface().orElseThrow().name());
        assertEquals(List.of("net1"), usage.otherInterfaces().stream().map(InterfaceCounters::name).toList());
    }

    @Test
    void truncatedLinesAreSkipped() {
        assertTrue(NetDev.parse("eth0: 1 2 3\n").isEmpty());
    }
}
