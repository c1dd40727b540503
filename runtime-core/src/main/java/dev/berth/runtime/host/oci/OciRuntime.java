package dev.berth.runtime.host.oci;

import dev.berth.common.error.BerthException;
import dev.berth.common.exec.Command;
import dev.berth.common.exec.CommandFailedException;
import dev.berth.common.exec.CommandResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One OCI runtime handler (runc or crun): its binary and its {@code --root} state directory. Each method is one
 * runtime invocation; failures carry the runtime's stderr.
 */
public final class OciRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(OciRuntime.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String handler;
    private final Path binary;
    private final Path root;
    private final boolean systemdCgroup;
    private final OciJson json = new OciJson();

    public OciRuntime(String handler, Path binary, Path root, boolean systemdCgroup) {
        this.handler = handler;
        this.binary = binary;
        this.root = root.toAbsolutePath().normalize();
        this.systemdCgroup = systemdCgroup;
    }

    public String handler() {
        return handler;
    }

    public Path binary() {
        return binary;
    }

    public Path root() {
        return root;
    }

    public boolean systemdCgroup() {
        return systemdCgroup;
    }

    /** The global flags every invocation (and conmon's) passes to the runtime. */
    public List<String> globalArgs() {
        List<String> args = new ArrayList<>(List.of("--root=" + root));
        if (systemdCgroup) {
            args.add("--systemd-cgroup");
        }
        return args;
    }

    /** The container's state, or empty when the runtime doesn't know it. */
    public Optional<OciState> state(String id) {
        CommandResult result = run(List.of("state", id));
        if (!result.succeeded()) {
            if (isMissing(result.stderrText())) {
                return Optional.empty();
            }
            throw failure("state", id, result);
        }
        return Optional.of(json.fromBytes(result.stdout(), OciState.class));
    }

    public void start(String id) {
        CommandResult result = run(List.of("start", id));
        if (!result.succeeded()) {
            throw failure("start", id, result);
        }
    }

    /**
     * Sends a signal to the container's init (or, with {@code all}, to all its processes). Returns false when the
     * container is missing or no longer running.
     */
    public boolean kill(String id, int signal, boolean all) {
        List<String> args = new ArrayList<>(List.of("kill"));
        if (all) {
            args.add("--all");
        }
        args.add(id);
        args.add(Integer.toString(signal));
        CommandResult result = run(args);
        if (result.succeeded()) {
            return true;
        }
        String stderr = result.stderrText().toLowerCase(Locale.ROOT);
        if (isMissing(stderr) || stderr.contains("not running") || stderr.contains("process already finished")
                || stderr.contains("no such process")) {
            return false;
        }
        throw failure("kill", id, result);
    }

    /** Whether the runtime still keeps state for the container (its directory under the runtime's root). */
    public boolean hasState(String id) {
        return java.nio.file.Files.exists(root.resolve(id));
    }

    /** Deletes the container from the runtime; a container it doesn't know is fine. */
    public void delete(String id, boolean force) {
        List<String> args = new ArrayList<>(List.of("delete"));
        if (force) {
            args.add("--force");
        }
        args.add(id);
        CommandResult result = run(args);
        if (!result.succeeded() && !isMissing(result.stderrText())) {
            throw failure("delete", id, result);
        }
    }

    /** Applies new resource limits to a running container. */
    public void update(String id, OciSpec.Resources resources) {
        CommandResult result;
        try {
            result = Command.of(argv(List.of("update", "--resources", "-", id))).withTimeout(TIMEOUT)
                    .withStdin(json.toBytes(resources)).run();
        } catch (CommandFailedException e) {
            throw BerthException.internal(handler + " update " + id + ": " + e.getMessage(), e);
        }
        if (!result.succeeded()) {
            throw failure("update", id, result);
        }
    }

    public void pause(String id) {
        CommandResult result = run(List.of("pause", id));
        if (!result.succeeded()) {
            throw failure("pause", id, result);
        }
    }

    public void resume(String id) {
        CommandResult result = run(List.of("resume", id));
        if (!result.succeeded()) {
            throw failure("resume", id, result);
        }
    }

    private CommandResult run(List<String> args) {
        try {
            return Command.of(argv(args)).withTimeout(TIMEOUT).run();
        } catch (CommandFailedException e) {
            throw new BerthException(BerthException.Kind.INTERNAL, handler + " " + String.join(" ", args) + ": "
                    + e.getMessage(), e);
        }
    }

    private List<String> argv(List<String> args) {
        List<String> argv = new ArrayList<>();
        argv.add(binary.toString());
        argv.addAll(globalArgs());
        argv.addAll(args);
        return argv;
    }

    private static boolean isMissing(String stderr) {
        String lower = stderr.toLowerCase(Locale.ROOT);
        return lower.contains("does not exist") || lower.contains("not found") || lower.contains("no such file");
    }

    private BerthException failure(String operation, String id, CommandResult result) {
        String stderr = RuntimeErrorText.of(result.stderrText());
        LOG.warn("event=oci_runtime_failed handler={} op={} container={} exit={} error=\"{}\"", handler, operation,
                id, result.exitCode(), stderr);
        return new BerthException(BerthException.Kind.INTERNAL,
                handler + " " + operation + " " + id + " failed: " + stderr);
    }
}
