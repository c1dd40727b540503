package dev.berth.cni.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cni.PodIp;
import dev.berth.common.error.BerthException;
import dev.berth.common.net.Addresses;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpamTest {

    private static final List<IpPool> V4 = List.of(IpPool.parse("10.99.0.0/29"));

    @Test
    void handsOutEachAddressOnceThenSaysTheSubnetIsFull(@TempDir Path dir) {
        Ipam ipam = new Ipam(dir);
        Set<String> seen = new HashSet<>();
        // /29: .0 network, .1 gateway, .7 broadcast → .2 … .6
        for (int i = 0; i < 5; i++) {
            PodIp ip = ipam.allocate("pod" + i, "eth0", V4, List.of()).get(0);
            assertTrue(seen.add(ip.addressText()), "handed out twice: " + ip);
            assertEquals(29, ip.prefixLength());
            assertEquals("10.99.0.1", ip.gateway().orElseThrow().getHostAddress());
        }
        assertEquals(Set.of("10.99.0.2", "10.99.0.3", "10.99.0.4", "10.99.0.5", "10.99.0.6"), seen);
        BerthException full = assertThrows(BerthException.class, () -> ipam.allocate("late", "eth0", V4, List.of()));
        assertEquals(BerthException.Kind.RESOURCE_EXHAUSTED, full.kind());
        assertEquals("pod3\neth0\n", read(dir.resolve("10.99.0.5")));
    }

    @Test
    void aReleasedAddressIsNotReusedAtOnceAndOnlyItsOwnerReleasesIt(@TempDir Path dir) {
        Ipam ipam = new Ipam(dir);
        InetAddress first = ipam.allocate("a", "eth0", V4, List.of()).get(0).address();
        ipam.release("someone-else", List.of(first));
        assertEquals(Map.of(first, "a"), ipam.owners());
        ipam.release("a", List.of(first));
        InetAddress second = ipam.allocate("b", "eth0", V4, List.of()).get(0).address();
        assertNotEquals(first, second);
        assertEquals(1, ipam.releaseAll("b"));
        assertEquals(Map.of(), ipam.owners());
    }

    @Test
    void dualStackGivesOneAddressPerPoolAndHonoursRequests(@TempDir Path dir) {
        Ipam ipam = new Ipam(dir);
        List<IpPool> dual = List.of(IpPool.parse("10.99.1.0/24"), IpPool.parse("fd99:1::/64"));
        List<PodIp> ips = ipam.allocate("dual", "eth0", dual,
                List.of(Addresses.parse("10.99.1.77"), Addresses.parse("fd99:1::abcd")));
        assertEquals(List.of("10.99.1.77/24", "fd99:1::abcd/64"), ips.stream().map(PodIp::cidr).toList());
        assertEquals("fd99:1::1", Addresses.format(ips.get(1).gateway().orElseThrow()));
        assertTrue(Files.exists(dir.resolve("fd99:1::abcd")));

        BerthException taken = assertThrows(BerthException.class, () -> ipam.allocate("other", "eth0", dual,
                List.of(Addresses.parse("10.99.1.77"))));
        assertEquals(BerthException.Kind.ALREADY_EXISTS, taken.kind());
        BerthException outside = assertThrows(BerthException.class, () -> ipam.allocate("other", "eth0", dual,
                List.of(Addresses.parse("192.168.1.1"))));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, outside.kind());
        assertEquals(2, ipam.owners().size(), "failed requests leave nothing behind");
    }

    @Test
    void concurrentAllocationsNeverShareAnAddress(@TempDir Path dir) throws Exception {
        Ipam ipam = new Ipam(dir);
        List<IpPool> pool = List.of(IpPool.parse("10.99.2.0/24"));
        ExecutorService threads = Executors.newFixedThreadPool(8);
        Map<String, String> byAddress = new ConcurrentHashMap<>();
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String owner = "pod" + i;
            futures.add(threads.submit(() -> {
                String address = ipam.allocate(owner, "eth0", pool, List.of()).get(0).addressText();
                assertEquals(null, byAddress.putIfAbsent(address, owner), "shared " + address);
            }));
        }
        for (Future<?> future : futures) {
            future.get();
        }
        threads.shutdown();
        assertEquals(200, ipam.owners().size());
    }

    @Test
    void leftoverTempFilesAreIgnoredAndSwept(@TempDir Path dir) throws Exception {
        Ipam ipam = new Ipam(dir);
        Files.writeString(dir.resolve(".10.99.0.2.tmp-1-1"), "torn");
        Files.writeString(dir.resolve("last_reserved.v4-10.99.0.0_29"), "garbage");
        assertEquals("10.99.0.2", ipam.allocate("a", "eth0", V4, List.of()).get(0).addressText());
        ipam.removeTempFiles();
        assertTrue(Files.notExists(dir.resolve(".10.99.0.2.tmp-1-1")));
    }

    @Test
    void tinySubnetsAreRefused() {
        assertThrows(BerthException.class, () -> IpPool.parse("10.0.0.0/31"));
        assertThrows(BerthException.class, () -> IpPool.parse("fd00::/127"));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
