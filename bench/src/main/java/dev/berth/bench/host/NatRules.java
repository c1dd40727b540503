package dev.berth.bench.host;

import dev.berth.common.exec.Command;
import dev.berth.common.exec.CommandResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * iptables rules a CNI bridge plugin left for the bench's network: rules naming the bench subnet, and the
 * per-attachment {@code CNI-*} chains they jump to. Normally CNI DEL removes them; this is the safety net.
 * Everything goes through one {@code iptables-restore --noflush} transaction, so nobody else's rules are touched.
 */
public final class NatRules {

    private NatRules() {
    }

    /** Removes the rules of {@code table} that mention {@code marker} (e.g. "10.77.0."); returns what it did. */
    public static List<String> removeMatching(String table, String marker) {
        List<String> notes = new ArrayList<>();
        // iptables-nft creates a table merely by listing it: look with nft first, so a check leaves nothing behind.
        if (!Command.of("nft", "list", "table", "ip", table).run().succeeded()) {
            return notes;
        }
        CommandResult saved = Command.of("iptables-save", "-t", table).run();
        if (!saved.succeeded()) {
            return notes; // no iptables here, or the table does not exist: nothing of ours either
        }
        List<String> matching = new ArrayList<>();
        Set<String> ownedChains = new LinkedHashSet<>();
        for (String line : saved.stdoutText().lines().toList()) {
            if (line.startsWith("-A ") && line.contains(marker)) {
                matching.add(line);
                String[] words = line.split(" ");
                for (int i = 0; i + 1 < words.length; i++) {
                    // Per-attachment chains (CNI-<hash>); the shared CNI-HOSTPORT-* chains are portmap's.
                    if (words[i].equals("-j") && words[i + 1].startsWith("CNI-")
                            && !words[i + 1].startsWith("CNI-HOSTPORT-")) {
                        ownedChains.add(words[i + 1]);
                    }
                }
            }
        }
        if (matching.isEmpty()) {
            return notes;
        }
        StringBuilder script = new StringBuilder("*").append(table).append('\n');
        for (String rule : matching) {
            String chain = rule.split(" ")[1];
            if (!ownedChains.contains(chain)) {
                script.append("-D").append(rule.substring(2)).append('\n');
            }
        }
        for (String chain : ownedChains) {
            script.append("-F ").append(chain).append('\n');
        }
        for (String chain : ownedChains) {
            script.append("-X ").append(chain).append('\n');
        }
        script.append("COMMIT\n");
        CommandResult restored = Command.of("iptables-restore", "--noflush")
                .withStdin(script.toString().getBytes(StandardCharsets.UTF_8)).run();
        if (restored.succeeded()) {
            notes.add("removed " + matching.size() + " leftover " + table + " rules and chains " + ownedChains);
        } else {
            notes.add("cannot remove leftover " + table + " rules: " + restored.stderrText());
        }
        return notes;
    }
}
