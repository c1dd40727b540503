package dev.berth.bench.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.exec.Command;
import dev.berth.common.exec.CommandResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The nftables tables that iptables-nft creates on first use ({@code ip nat}, {@code ip6 nat}, ...): CNI plugins
 * calling iptables make them appear and leave them behind empty. Snapshot before, and afterwards remove only those
 * that are new and hold no rule at all.
 */
public record IptablesTables(Set<String> before) {

    private static final List<String> CANDIDATES = List.of("ip nat", "ip6 nat", "ip filter", "ip6 filter",
            "ip mangle", "ip6 mangle", "ip raw", "ip6 raw");
    private static final ObjectMapper JSON = new ObjectMapper();

    public static IptablesTables snapshot() {
        return new IptablesTables(Set.copyOf(list()));
    }

    public List<String> removeNewEmptyTables() {
        List<String> notes = new ArrayList<>();
        for (String table : list()) {
            if (before.contains(table) || !CANDIDATES.contains(table)) {
                continue;
            }
            String[] parts = table.split(" ");
            if (isEmpty(parts[0], parts[1])) {
                CommandResult deleted = Command.of("nft", "delete", "table", parts[0], parts[1]).run();
                notes.add(deleted.succeeded() ? "deleted empty nftables table " + table + " (created by iptables)"
                        : "cannot delete table " + table + ": " + deleted.stderrText());
            } else {
                notes.add("left nftables table " + table + ": it holds rules");
            }
        }
        return notes;
    }

    private static boolean isEmpty(String family, String name) {
        CommandResult listed = Command.of("nft", "-j", "list", "table", family, name).run();
        if (!listed.succeeded()) {
            return false;
        }
        try {
            for (JsonNode entry : JSON.readTree(listed.stdout()).path("nftables")) {
                if (entry.has("rule") || entry.has("set") || entry.has("map")) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** "family name" of every table, e.g. "ip nat". */
    private static List<String> list() {
        CommandResult listed = Command.of("nft", "list", "tables").run();
        if (!listed.succeeded()) {
            return List.of();
        }
        return listed.stdoutText().lines().map(String::strip).filter(l -> l.startsWith("table "))
                .map(l -> l.substring("table ".length())).toList();
    }
}
