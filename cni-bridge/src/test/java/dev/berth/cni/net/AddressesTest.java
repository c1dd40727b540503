package dev.berth.cni.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.common.net.Addresses;
import org.junit.jupiter.api.Test;

class AddressesTest {

    @Test
    void ipv6IsFormattedPerRfc5952() {
        assertEquals("fd00::5", Addresses.format(Addresses.parse("fd00:0:0:0:0:0:0:5")));
        assertEquals("2001:db8::1:0:0:1", Addresses.format(Addresses.parse("2001:db8:0:0:1:0:0:1")));
        assertEquals("2001:db8:0:1:1:1:1:1", Addresses.format(Addresses.parse("2001:db8:0:1:1:1:1:1")));
        assertEquals("::", Addresses.format(Addresses.parse("::")));
        assertEquals("::1", Addresses.format(Addresses.parse("::1")));
        assertEquals("fe80::", Addresses.format(Addresses.parse("fe80::")));
        assertEquals("10.0.0.1", Addresses.format(Addresses.parse("10.0.0.1")));
    }

    @Test
    void namesAreNeverResolved() {
        assertThrows(BerthException.class, () -> Addresses.parse("localhost"));
        assertThrows(BerthException.class, () -> Addresses.parse(""));
    }

    @Test
    void cidrsClearHostBitsAndKnowTheirRange() {
        Cidr v4 = Cidr.parse("10.89.7.9/16");
        assertEquals("10.89.0.0/16", v4.toString());
        assertTrue(v4.contains(Addresses.parse("10.89.255.255")));
        assertFalse(v4.contains(Addresses.parse("10.90.0.0")));
        assertFalse(v4.contains(Addresses.parse("fd00::1")));
        assertEquals("10.89.0.1", Addresses.format(v4.addressAt(1)));
        Cidr v6 = Cidr.parse("fd12:3456::77/64");
        assertEquals("fd12:3456::/64", v6.toString());
        assertTrue(v6.contains(Addresses.parse("fd12:3456::ffff:ffff:ffff:ffff")));
        assertThrows(BerthException.class, () -> Cidr.parse("10.0.0.0"));
        assertThrows(BerthException.class, () -> Cidr.parse("10.0.0.0/33"));
    }
}
