package dev.berth.runtime.host.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.common.net.DnsSettings;
import dev.berth.runtime.host.ns.NamespaceKind;
import dev.berth.runtime.host.ns.PinnedNamespaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxFilesTest {

    @TempDir
    Path tmp;

    SandboxFiles files() throws IOException {
        Path resolv = Files.writeString(tmp.resolve("host-resolv.conf"), "nameserver 9.9.9.9\n");
        Path hosts = Files.writeString(tmp.resolve("host-hosts"), "10.0.0.1 node\n");
        return new SandboxFiles(resolv, hosts);
    }

    @Test
    void writesHostnameHostsAndResolvConfFromDns() throws IOException {
        Path dir = tmp.resolve("sandbox");
        SandboxFilePaths paths = files().write(dir, "web-0", false, Optional.of("10.88.0.5"),
                new DnsSettings(List.of("10.96.0.10", "10.96.0.11"), List.of("ns.svc.cluster.local", "cluster.local"),
                        List.of("ndots:5")));
        assertEquals("web-0\n", Files.readString(paths.hostname()));
        String hosts = Files.readString(paths.hosts());
        assertTrue(hosts.startsWith("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"), hosts);
        assertTrue(hosts.endsWith("10.88.0.5\tweb-0\n"), hosts);
        assertEquals("search ns.svc.cluster.local cluster.local\nnameserver 10.96.0.10\nnameserver 10.96.0.11\n"
                + "options ndots:5\n", Files.readString(paths.resolvConf()));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(paths.hosts())));
    }

    @Test
    void copiesHostFilesWhenNothingIsGiven() throws IOException {
        SandboxFilePaths paths = files().write(tmp.resolve("s"), "web-0", false, Optional.empty(), null);
        assertEquals("nameserver 9.9.9.9\n", Files.readString(paths.resolvConf()));
        assertTrue(!Files.readString(paths.hosts()).contains("web-0"));
        SandboxFilePaths host = files().write(tmp.resolve("h"), "node", true, Optional.empty(),
                new DnsSettings(List.of(), List.of(), List.of()));
        assertEquals("10.0.0.1 node\n", Files.readString(host.hosts()));
        assertEquals("nameserver 9.9.9.9\n", Files.readString(host.resolvConf()));
    }

    @Test
    void hostsCanBeRewrittenOnceTheIpIsKnown() throws IOException {
        SandboxFiles files = files();
        SandboxFilePaths paths = files.write(tmp.resolve("s"), "web-0", false, Optional.empty(), null);
        files.writeHosts(paths, "web-0", false, Optional.of("fd00::5"));
        assertTrue(Files.readString(paths.hosts()).endsWith("fd00::5\tweb-0\n"));
    }

    @Test
    void lineBreaksInDnsAreRejected() {
        assertThrows(BerthException.class, () -> SandboxFiles.render(
                new DnsSettings(List.of("1.1.1.1\nnameserver 6.6.6.6"), List.of(), List.of())));
    }

    @Test
    void sysctlsMustBeNamespacedAndMatchPinnedNamespaces() {
        PinnedNamespaces all = new PinnedNamespaces("s", Path.of("/n"), Path.of("/i"), Path.of("/u"));
        SandboxSysctls.validate(all, Map.of("net.ipv4.ip_forward", "1", "kernel.shmmax", "1", "fs.mqueue.msg_max",
                "10", "net/ipv4/conf/eth0.100/rp_filter", "0", "kernel.domainname", "x"));
        BerthException notNamespaced = assertThrows(BerthException.class,
                () -> SandboxSysctls.validate(all, Map.of("kernel.panic", "1")));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, notNamespaced.kind());
        assertTrue(notNamespaced.getMessage().contains("kernel.panic"));
        PinnedNamespaces hostNet = new PinnedNamespaces("s", null, Path.of("/i"), null);
        BerthException hostNetwork = assertThrows(BerthException.class,
                () -> SandboxSysctls.validate(hostNet, Map.of("net.core.somaxconn", "1024")));
        assertTrue(hostNetwork.getMessage().contains("net.core.somaxconn"));
        assertEquals(Optional.of(NamespaceKind.IPC), SandboxSysctls.namespaceOf("kernel/sem"));
    }
}
