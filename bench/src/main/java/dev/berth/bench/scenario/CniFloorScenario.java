package dev.berth.bench.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.bench.cni.CniChain;
import dev.berth.bench.host.IptablesTables;
import dev.berth.bench.host.Links;
import dev.berth.bench.host.NatRules;
import dev.berth.bench.host.WorkDir;
import dev.berth.bench.stats.StepException;
import dev.berth.common.exec.Command;
import dev.berth.common.exec.CommandResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The floor under a pod network on the bench's standard CNI chain: the plugins' own ADD and DEL, executed bare the way
 * a CNI runtime executes them (CNI_* environment, each plugin's config on stdin with the list's name and cniVersion,
 * portmap and the DELs given the previous result), into a fresh network namespace per iteration that this scenario
 * creates ({@code unshare --net} bound onto a file of its work dir) and removes. The loopback plugin is timed as well:
 * containerd runs it for every pod, berth brings {@code lo} up itself. Spawned from this JVM like the runtimes' own
 * plugin runs; creating the namespace is not timed (both runtimes make theirs outside the plugins too).
 */
public final class CniFloorScenario {

    public static final String LOOPBACK_ADD = "loopback ADD";
    public static final String BRIDGE_ADD = "bridge ADD";
    public static final String PORTMAP_ADD = "portmap ADD";
    public static final String CHAIN_ADD = "chain ADD";
    public static final String CHAIN_DEL = "chain DEL";
    public static final String PORTMAP_DEL = "portmap DEL";
    public static final String BRIDGE_DEL = "bridge DEL";
    public static final String LOOPBACK_DEL = "loopback DEL";

    public static final String BRIDGE = "brtfloor0";
    static final String SUBNET = "10.80.0.0/24";
    private static final String IFNAME = "eth0";
    private static final Duration PLUGIN_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(CniFloorScenario.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Settings settings;

    public CniFloorScenario(Settings settings) {
        this.settings = settings;
    }

    public String name() {
        return "CNI plugin floor";
    }

    public Outcome run() {
        IptablesTables tablesBefore = IptablesTables.snapshot();
        // A bridge by this name can only be a leftover of an interrupted bench run.
        Links.deleteBridge(BRIDGE).forEach(note -> LOG.warn("before floor: {}", note));
        WorkDir work = WorkDir.create("bb-cni-");
        CniChain chain = new CniChain("berth-bench-floor", BRIDGE, SUBNET, work.directory("ipam"));
        List<ObjectNode> plugins = chain.pluginConfigs();
        Path namespaces = work.directory("netns");
        Measurement m = new Measurement();
        Attachment[] live = {null};
        return m.run(name(), () -> {
            for (int i = 0; i < settings.warmup() + settings.iterations(); i++) {
                m.recorder.recording(i >= settings.warmup());
                String id = "bench-cnifloor-" + i;
                Path file = namespaces.resolve("ns-" + i);
                Path netns = StepException.wrap("create netns", () -> createNetns(file));
                live[0] = new Attachment(id, netns, null);
                Map<String, String> lo = env(id, netns, "lo");
                Map<String, String> eth = env(id, netns, IFNAME);
                m.recorder.time(LOOPBACK_ADD, () -> plugin("ADD", lo, CniChain.loopbackConfig(), null));
                long added = System.nanoTime();
                JsonNode bridged = m.recorder.time(BRIDGE_ADD, () -> plugin("ADD", eth, plugins.get(0), null));
                JsonNode result = m.recorder.time(PORTMAP_ADD, () -> plugin("ADD", eth, plugins.get(1), bridged));
                m.recorder.record(CHAIN_ADD, System.nanoTime() - added);
                live[0] = new Attachment(id, netns, result);
                if (i == settings.warmup()) {
                    m.notes.add("ADD result IPs " + result.path("ips"));
                }
                long deleting = System.nanoTime();
                m.recorder.time(PORTMAP_DEL, () -> plugin("DEL", eth, plugins.get(1), result));
                m.recorder.time(BRIDGE_DEL, () -> plugin("DEL", eth, plugins.get(0), result));
                m.recorder.record(CHAIN_DEL, System.nanoTime() - deleting);
                m.recorder.time(LOOPBACK_DEL, () -> plugin("DEL", lo, CniChain.loopbackConfig(), null));
                live[0] = new Attachment(id, netns, null);
                StepException.wrap("remove netns", () -> removeNetns(netns));
                live[0] = null;
            }
            m.notes.add("chain: bridge (isGateway, ipMasq, hairpinMode; host-local " + SUBNET + ") + portmap on "
                    + BRIDGE + ", plugins from " + CniChain.BIN_DIR + " run as a CNI runtime runs them; chain = "
                    + "bridge + portmap; loopback timed apart (containerd runs it, berth sets lo up itself)");
        }, () -> cleanup(work, chain, plugins, live[0], tablesBefore));
    }

    /** What an interrupted iteration left: a namespace, and an attachment when ADD got through. */
    private record Attachment(String id, Path netns, JsonNode result) {
    }

    private static Map<String, String> env(String id, Path netns, String ifname) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_CONTAINERID", id);
        env.put("CNI_NETNS", netns.toString());
        env.put("CNI_IFNAME", ifname);
        env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=bench;K8S_POD_NAME=" + id
                + ";K8S_POD_INFRA_CONTAINER_ID=" + id);
        env.put("CNI_PATH", CniChain.BIN_DIR);
        return env;
    }

    /** Runs one plugin with {@code command}; ADD returns the plugin's result, DEL an empty node. */
    static JsonNode plugin(String command, Map<String, String> env, ObjectNode config, JsonNode prevResult) {
        ObjectNode input = config.deepCopy();
        if (prevResult != null) {
            input.set("prevResult", prevResult);
        }
        Map<String, String> withCommand = new LinkedHashMap<>(env);
        withCommand.put("CNI_COMMAND", command);
        String type = config.path("type").asText();
        CommandResult result;
        try {
            result = Command.of(CniChain.BIN_DIR + "/" + type).withEnvironment(withCommand)
                    .withStdin(JSON.writeValueAsBytes(input)).withTimeout(PLUGIN_TIMEOUT).run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!result.succeeded()) {
            throw new IllegalStateException(type + " " + command + " exited " + result.exitCode() + ": "
                    + result.stdoutText().strip() + " " + result.stderrText().strip());
        }
        if (command.equals("DEL") || result.stdout().length == 0) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(result.stdout());
        } catch (IOException e) {
            throw new IllegalStateException(type + " " + command + " printed no JSON result", e);
        }
    }

    /** A persistent network namespace: {@code unshare --net=FILE} bind-mounts the new namespace onto FILE. */
    private static Path createNetns(Path file) {
        try {
            Files.createFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file, e);
        }
        CommandResult result = Command.of("unshare", "--net=" + file, "true").run();
        if (!result.succeeded()) {
            throw new IllegalStateException("unshare --net=" + file + ": " + result.stderrText().strip());
        }
        return file;
    }

    private static Void removeNetns(Path file) {
        CommandResult result = Command.of("umount", file.toString()).run();
        if (!result.succeeded()) {
            throw new IllegalStateException("umount " + file + ": " + result.stderrText().strip());
        }
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file, e);
        }
        return null;
    }

    /** DELs an interrupted attachment, then removes the namespace, the bridge, its iptables rules and the work dir. */
    private static void cleanup(WorkDir work, CniChain chain, List<ObjectNode> plugins, Attachment live,
                                IptablesTables tablesBefore) {
        List<String> notes = new ArrayList<>();
        if (live != null) {
            Map<String, String> eth = env(live.id(), live.netns(), IFNAME);
            if (live.result() != null) {
                for (int p = plugins.size() - 1; p >= 0; p--) {
                    try {
                        plugin("DEL", eth, plugins.get(p), live.result());
                    } catch (RuntimeException e) {
                        notes.add("DEL of interrupted attachment: " + e.getMessage());
                    }
                }
            }
            try {
                removeNetns(live.netns());
            } catch (RuntimeException e) {
                notes.add(e.getMessage());
            }
        }
        notes.addAll(Links.deleteBridge(chain.bridge()));
        notes.addAll(NatRules.removeMatching("nat", chain.subnetMarker()));
        notes.addAll(NatRules.removeMatching("filter", chain.subnetMarker()));
        notes.addAll(tablesBefore.removeNewEmptyTables());
        notes.addAll(work.unmountAndDelete());
        notes.forEach(note -> LOG.info("cni floor cleanup: {}", note));
    }
}
