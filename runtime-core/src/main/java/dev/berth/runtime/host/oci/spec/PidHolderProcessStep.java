package dev.berth.runtime.host.oci.spec;

import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.OciSpec;
import java.util.List;

/**
 * The holder's process: {@code catatonit -P} as root, which only reaps the pod's orphans. It keeps the daemon's
 * oom_score_adj so that it is not the first process the OOM killer takes.
 */
public final class PidHolderProcessStep implements SpecStep {

    /** Where the holder's binary is mounted in its otherwise empty root. */
    public static final String BINARY = "/catatonit";

    private final int oomScoreAdj;

    public PidHolderProcessStep(int oomScoreAdj) {
        this.oomScoreAdj = oomScoreAdj;
    }

    @Override
    public void apply(ContainerSpecRequest request, OciSpec.Builder spec) {
        spec.process()
                .terminal(false)
                .user(OciSpec.User.of(0, 0, List.of(0L)))
                .args(List.of(BINARY, "-P"))
                .env(List.of("PATH=" + EnvironmentStep.DEFAULT_PATH))
                .cwd("/")
                .oomScoreAdj(oomScoreAdj);
    }
}
