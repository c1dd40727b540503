package dev.berth.runtime.host.oci.spec;

import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.OciSpec;
import java.nio.file.Path;
import java.util.List;

/** The holder's mounts: /proc and /dev as every container has them, and its binary from the host, read-only. */
public final class PidHolderMountsStep implements SpecStep {

    private final Path catatonit;

    /** @param catatonit the host's (static) catatonit binary */
    public PidHolderMountsStep(Path catatonit) {
        this.catatonit = catatonit;
    }

    @Override
    public void apply(ContainerSpecRequest request, OciSpec.Builder spec) {
        spec.addMount(DefaultMountsStep.PROC)
                .addMount(DefaultMountsStep.DEV)
                .addMount(new OciSpec.Mount(PidHolderProcessStep.BINARY, "bind", catatonit.toString(),
                        List.of("rbind", "ro")));
    }
}
