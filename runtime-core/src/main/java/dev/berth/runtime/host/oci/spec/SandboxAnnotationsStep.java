package dev.berth.runtime.host.oci.spec;

import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.OciSpec;

/** The CRI keys that tie a container to its pod, and whether it is a container or the pod's own process. */
public final class SandboxAnnotationsStep implements SpecStep {

    public static final String CONTAINER_TYPE = "io.kubernetes.cri.container-type";
    public static final String SANDBOX_ID = "io.kubernetes.cri.sandbox-id";
    public static final String SANDBOX_NAME = "io.kubernetes.cri.sandbox-name";
    public static final String SANDBOX_NAMESPACE = "io.kubernetes.cri.sandbox-namespace";
    public static final String SANDBOX_UID = "io.kubernetes.cri.sandbox-uid";

    /** A workload container of the pod. */
    public static final String TYPE_CONTAINER = "container";
    /** The pod's own process (its PID-namespace holder). */
    public static final String TYPE_SANDBOX = "sandbox";

    private final String containerType;

    public SandboxAnnotationsStep(String containerType) {
        this.containerType = containerType;
    }

    @Override
    public void apply(ContainerSpecRequest request, OciSpec.Builder spec) {
        PodSandboxMetadata pod = request.sandbox().config().getMetadata();
        spec.annotation(CONTAINER_TYPE, containerType)
                .annotation(SANDBOX_ID, request.sandbox().sandboxId())
                .annotation(SANDBOX_NAME, pod.getName())
                .annotation(SANDBOX_NAMESPACE, pod.getNamespace())
                .annotation(SANDBOX_UID, pod.getUid());
    }
}
