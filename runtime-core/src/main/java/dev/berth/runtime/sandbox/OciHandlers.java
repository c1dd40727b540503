package dev.berth.runtime.sandbox;

import dev.berth.common.error.BerthException;
import dev.berth.runtime.host.monitor.Conmon;
import dev.berth.runtime.host.monitor.ConmonSettings;
import dev.berth.runtime.host.oci.OciRuntime;
import dev.berth.runtime.store.StateLayout;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The OCI runtimes berth can run pods with, one per RuntimeClass handler, each with its own {@code --root} and
 * conmon launcher. A sandbox picks its handler once; its containers use the same one.
 */
public final class OciHandlers {

    /** One handler: its runtime binary wrapper and the conmon that monitors its containers. */
    public record Handler(String name, OciRuntime runtime, Conmon conmon) {
    }

    private final Map<String, Handler> byName;
    private final String defaultName;

    public OciHandlers(Map<String, Path> binaries, String defaultName, StateLayout layout, boolean systemdCgroup,
            ConmonSettings conmonSettings) {
        if (!binaries.containsKey(defaultName)) {
            throw new IllegalArgumentException("default runtime handler " + defaultName + " is not configured");
        }
        Map<String, Handler> handlers = new LinkedHashMap<>();
        binaries.forEach((name, binary) -> {
            OciRuntime runtime = new OciRuntime(name, binary, layout.ociRoot(name), systemdCgroup);
            handlers.put(name, new Handler(name, runtime, new Conmon(conmonSettings, runtime)));
        });
        this.byName = Map.copyOf(handlers);
        this.defaultName = defaultName;
    }

    /** The handler a request names; empty selects the default, an unknown one is INVALID_ARGUMENT. */
    public Handler select(String requested) {
        String name = requested == null || requested.isEmpty() ? defaultName : requested;
        Handler handler = byName.get(name);
        if (handler == null) {
            throw BerthException.invalidArgument("runtime handler " + name + " is not configured (known: "
                    + List.copyOf(byName.keySet()) + ")");
        }
        return handler;
    }

    /** The handler a persisted object used, if it is still configured. */
    public Optional<Handler> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Collection<Handler> all() {
        return byName.values();
    }

    public String defaultName() {
        return defaultName;
    }
}
