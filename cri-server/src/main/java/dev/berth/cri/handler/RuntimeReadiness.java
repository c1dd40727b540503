package dev.berth.cri.handler;

import dev.berth.cri.config.RuntimeSection;
import java.nio.file.Files;
import java.nio.file.Path;

/** RuntimeReady: the default handler's OCI runtime and the container monitor can be executed. */
public final class RuntimeReadiness {

    private final RuntimeSection runtime;
    private final Path conmon;

    public RuntimeReadiness(RuntimeSection runtime, Path conmon) {
        this.runtime = runtime;
        this.conmon = conmon;
    }

    public Condition check() {
        Path oci = Path.of(runtime.handlers().get(runtime.defaultHandler()).path());
        if (!Files.isExecutable(oci)) {
            return Condition.notReady("OCIRuntimeMissing", "default handler \"" + runtime.defaultHandler()
                    + "\" needs " + oci + ", which is not an executable file");
        }
        if (!Files.isExecutable(conmon)) {
            return Condition.notReady("ContainerMonitorMissing", conmon + " is not an executable file "
                    + "(apt-get install conmon)");
        }
        return Condition.ok();
    }
}
