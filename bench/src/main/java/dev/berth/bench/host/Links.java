package dev.berth.bench.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.exec.Command;
import dev.berth.common.exec.CommandResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Network links in the host namespace, through iproute2's JSON output. */
public final class Links {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Links() {
    }

    public static boolean exists(String name) {
        return Command.of("ip", "link", "show", "dev", name).run().succeeded();
    }

    /** Names of every bridge in the host namespace. */
    public static List<String> bridges() {
        return names(Command.of("ip", "-j", "link", "show", "type", "bridge").run());
    }

    /** Names of the links enslaved to {@code bridge} (the host ends of pod veths). */
    public static List<String> attachedTo(String bridge) {
        return names(Command.of("ip", "-j", "link", "show", "master", bridge).run());
    }

    private static List<String> names(CommandResult result) {
        List<String> names = new ArrayList<>();
        if (!result.succeeded() || result.stdoutText().isBlank()) {
            return names;
        }
        try {
            for (JsonNode link : JSON.readTree(result.stdout())) {
                names.add(link.path("ifname").asText());
            }
        } catch (IOException e) {
            throw new IllegalStateException("unreadable `ip -j link` output", e);
        }
        return names;
    }

    /**
     * Deletes a bench-owned bridge and whatever is still attached to it. Returns what was removed or failed; an
     * absent bridge is nothing to report.
     */
    public static List<String> deleteBridge(String bridge) {
        List<String> notes = new ArrayList<>();
        if (!exists(bridge)) {
            return notes;
        }
        for (String veth : attachedTo(bridge)) {
            CommandResult result = Command.of("ip", "link", "del", "dev", veth).run();
            notes.add(result.succeeded() ? "deleted leftover link " + veth
                    : "cannot delete link " + veth + ": " + result.stderrText());
        }
        CommandResult result = Command.of("ip", "link", "del", "dev", bridge).run();
        if (!result.succeeded()) {
            notes.add("cannot delete bridge " + bridge + ": " + result.stderrText());
        }
        return notes;
    }
}
