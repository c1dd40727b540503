package dev.berth.cni.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cni.attach.NetworkCounters;
import dev.berth.common.exec.Command;
import dev.berth.common.exec.CommandFailedException;
import dev.berth.common.exec.CommandResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one plugin binary per the CNI execution protocol: config JSON on stdin, parameters in CNI_* variables,
 * result or error JSON on stdout. Every error is counted and logged here, once.
 */
final class CniPluginInvoker {

    private static final Logger LOG = LoggerFactory.getLogger(CniPluginInvoker.class);

    private final List<Path> binDirs;
    private final Duration timeout;
    private final ObjectMapper json;
    private final NetworkCounters counters;

    CniPluginInvoker(List<Path> binDirs, Duration timeout, ObjectMapper json, NetworkCounters counters) {
        this.binDirs = binDirs;
        this.timeout = timeout;
        this.json = json;
        this.counters = counters;
    }

    /** The plugin's binary: the first executable file of that name in the bin dirs. */
    Optional<Path> find(String type) {
        return binDirs.stream().map(dir -> dir.resolve(type)).filter(Files::isRegularFile)
                .filter(Files::isExecutable).findFirst();
    }

    /**
     * Runs the plugin; returns its stdout as JSON, or null when it printed nothing (DEL, CHECK, GC, STATUS).
     *
     * @param invocation null for GC and STATUS, which have no attachment
     */
    JsonNode invoke(String type, String command, CniInvocation invocation, ObjectNode config) {
        Path binary = find(type).orElseThrow(() -> failed(new CniPluginException(type, command, -1,
                "plugin binary not found", "looked in " + binDirs)));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_PATH", binDirs.stream().map(Path::toString).collect(Collectors.joining(":")));
        if (invocation != null) {
            env.put("CNI_CONTAINERID", invocation.containerId());
            env.put("CNI_NETNS", invocation.netns());
            env.put("CNI_IFNAME", invocation.ifName());
            env.put("CNI_ARGS", invocation.cniArgs());
        }
        CommandResult result;
        long started = System.nanoTime();
        try {
            result = Command.of(binary.toString()).withEnvironment(env).withStdin(json.writeValueAsBytes(config))
                    .withTimeout(timeout).run();
        } catch (CommandFailedException e) {
            throw failed(new CniPluginException(type, command, -1, e.getMessage(), e.stderr()));
        } catch (IOException e) {
            throw failed(new CniPluginException(type, command, -1, "cannot encode config", e.getMessage()));
        }
        LOG.debug("cni plugin ran plugin={} command={} exit={} ms={}", type, command, result.exitCode(),
                (System.nanoTime() - started) / 1_000_000);
        JsonNode stdout = parse(result.stdout());
        if (!result.succeeded()) {
            if (stdout != null && stdout.has("code")) {
                throw failed(new CniPluginException(type, command, stdout.path("code").asInt(-1),
                        stdout.path("msg").asText(""), stdout.path("details").asText("")));
            }
            throw failed(new CniPluginException(type, command, -1, "exited " + result.exitCode(),
                    result.stderrText()));
        }
        counters.operation(type, command, false);
        return stdout;
    }

    /** The error for a plugin that succeeded without printing the result it owed. */
    CniPluginException noResult(String type, String command) {
        return failed(new CniPluginException(type, command, -1, "plugin printed no result", ""));
    }

    private JsonNode parse(byte[] stdout) {
        if (new String(stdout).isBlank()) {
            return null;
        }
        try {
            return json.readTree(stdout);
        } catch (IOException e) {
            return null;
        }
    }

    private CniPluginException failed(CniPluginException e) {
        counters.pluginError();
        counters.operation(e.plugin(), e.command(), true);
        LOG.warn("cni plugin failed plugin={} command={} code={} msg={} details={}", e.plugin(), e.command(),
                e.code(), e.pluginMessage(), e.details());
        return e;
    }
}
