package dev.berth.runtime.host.oci.spec;

import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.OciSpec;

/** The request's annotations, then the container's CRI keys (name, image), which win over requested ones. */
public final class ContainerAnnotationsStep implements SpecStep {

    public static final String CONTAINER_NAME = "io.kubernetes.cri.container-name";
    public static final String IMAGE_NAME = "io.kubernetes.cri.image-name";

    @Override
    public void apply(ContainerSpecRequest request, OciSpec.Builder spec) {
        spec.annotations(request.config().getAnnotationsMap());
        spec.annotation(CONTAINER_NAME, request.config().getMetadata().getName());
        String image = request.image().imageName().isEmpty() ? request.config().getImage().getImage()
                : request.image().imageName();
        spec.annotation(IMAGE_NAME, image);
    }
}
