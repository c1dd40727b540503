package dev.berth.runtime.host.oci.spec;

import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.OciSpec;

/**
 * The process's oom_score_adj, clamped up to the daemon's own: without CAP_SYS_RESOURCE a child may not go below its
 * parent's, and the runtime would fail the container instead.
 */
public final class OomScoreAdjStep implements SpecStep {

    private final int minOomScoreAdj;

    public OomScoreAdjStep(int minOomScoreAdj) {
        this.minOomScoreAdj = minOomScoreAdj;
    }

    @Override
    public void apply(ContainerSpecRequest request, OciSpec.Builder spec) {
        int requested = (int) request.config().getLinux().getResources().getOomScoreAdj();
        spec.process().oomScoreAdj(Math.max(requested, minOomScoreAdj));
    }
}
