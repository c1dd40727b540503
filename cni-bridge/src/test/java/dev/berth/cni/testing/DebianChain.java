package dev.berth.cni.testing;

import dev.berth.common.exec.Command;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** A conflist for Debian's containernetworking-plugins 1.1.1: bridge + host-local + loopback + portmap. */
public final class DebianChain {

    public static final Path BIN_DIR = Path.of("/usr/lib/cni");

    private DebianChain() {
    }

    /** Writes {@code <confDir>/10-<network>.conflist}; host-local keeps its files under {@code ipamDir}. */
    public static Path write(Path confDir, String network, String bridge, String subnet, Path ipamDir) {
        String conflist = """
                {
                  "cniVersion": "1.0.0",
                  "name": "%s",
                  "plugins": [
                    {
                      "type": "bridge",
                      "bridge": "%s",
                      "isGateway": true,
                      "ipMasq": true,
                      "hairpinMode": true,
                      "ipam": {
                        "type": "host-local",
                        "dataDir": "%s",
                        "ranges": [[{"subnet": "%s"}]],
                        "routes": [{"dst": "0.0.0.0/0"}]
                      }
                    },
                    {"type": "loopback"},
                    {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true}
                  ]
                }
                """.formatted(network, bridge, ipamDir, subnet);
        Path file = confDir.resolve("10-" + network + ".conflist");
        HostFixture.write(file, conflist);
        return file;
    }

    /** The nftables tables that exist now, as "family name". */
    public static Set<String> nftTables() {
        return Command.of("nft", "list", "tables").run().stdoutText().lines().map(String::strip)
                .filter(l -> l.startsWith("table ")).map(l -> l.substring(6)).collect(Collectors.toSet());
    }

    /**
     * Deletes the iptables-nft {@code ip nat} / {@code ip6 nat} tables the plugins made if they did not exist
     * before and hold no rule now.
     */
    public static void removeEmptyNatTablesCreatedSince(Set<String> before) {
        for (String table : List.of("ip nat", "ip6 nat")) {
            if (before.contains(table)) {
                continue;
            }
            List<String> argv = new ArrayList<>(List.of("nft", "-j", "list", "table"));
            argv.addAll(List.of(table.split(" ")));
            String listing = Command.of(argv).run().stdoutText();
            if (!listing.isEmpty() && !listing.contains("\"rule\"")) {
                List<String> delete = new ArrayList<>(List.of("nft", "delete", "table"));
                delete.addAll(List.of(table.split(" ")));
                Command.of(delete).run();
            }
        }
    }

    /** The iptables nat chains that exist now (the Debian bridge and portmap plugins use iptables). */
    public static Set<String> natChains() {
        return Command.of("iptables", "-t", "nat", "-S").run().stdoutText().lines()
                .filter(l -> l.startsWith("-N ")).map(l -> l.substring(3).strip()).collect(Collectors.toSet());
    }

    /**
     * Removes the portmap plugin's shared top-level chains if this test made them and nobody else uses portmap
     * now (no per-container CNI-DN-* chain). The per-container chains are the plugins' DEL's job, and tests assert
     * they are gone.
     */
    public static void removeSharedChainsCreatedSince(Set<String> before) {
        Set<String> now = natChains();
        if (now.stream().anyMatch(c -> c.startsWith("CNI-DN-"))) {
            return;
        }
        List<String> created = new ArrayList<>(now.stream()
                .filter(c -> c.startsWith("CNI-HOSTPORT-") && !before.contains(c)).toList());
        for (String chain : List.of("PREROUTING", "OUTPUT", "POSTROUTING")) {
            List<String> rules = Command.of("iptables", "-t", "nat", "-S", chain).run().stdoutText().lines()
                    .filter(l -> l.startsWith("-A ")).toList();
            // Delete by rule number, last first, so the numbers of the rest stay valid (comments hold quotes).
            for (int number = rules.size(); number >= 1; number--) {
                String rule = rules.get(number - 1);
                if (created.stream().anyMatch(c -> rule.endsWith("-j " + c))) {
                    Command.of("iptables", "-t", "nat", "-D", chain, Integer.toString(number)).run();
                }
            }
        }
        for (String chain : created) {
            Command.of("iptables", "-t", "nat", "-F", chain).run();
        }
        for (String chain : created) {
            Command.of("iptables", "-t", "nat", "-X", chain).run();
        }
    }
}
