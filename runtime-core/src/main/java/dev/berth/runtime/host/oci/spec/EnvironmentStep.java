package dev.berth.runtime.host.oci.spec;

import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.KeyValue;
import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.OciSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The process environment: HOSTNAME (and TERM with a tty), then the image's env, then the config's. */
public final class EnvironmentStep implements SpecStep {

    /** PATH when neither the image nor the config sets one. */
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    @Override
    public void apply(ContainerSpecRequest request, OciSpec.Builder spec) {
        ContainerConfig config = request.config();
        spec.process().env(environment(request.image().env(), config.getEnvsList(),
                request.sandbox().config().getHostname(), config.getTty()));
    }

    /** Later entries override earlier ones by name and keep the first one's position. */
    private static List<String> environment(List<String> imageEnv, List<KeyValue> configEnv, String hostname,
            boolean tty) {
        Map<String, String> env = new LinkedHashMap<>();
        if (hostname != null && !hostname.isEmpty()) {
            env.put("HOSTNAME", hostname);
        }
        if (tty) {
            env.put("TERM", "xterm");
        }
        for (String entry : imageEnv) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            } else if (eq < 0 && !entry.isEmpty()) {
                env.put(entry, "");
            }
        }
        for (KeyValue kv : configEnv) {
            if (kv.getKey().isEmpty()) {
                continue;
            }
            env.put(kv.getKey(), kv.getValue());
        }
        env.putIfAbsent("PATH", DEFAULT_PATH);
        List<String> result = new ArrayList<>(env.size());
        env.forEach((k, v) -> result.add(k + "=" + v));
        return result;
    }
}
