package dev.berth.runtime.host.oci.spec;

import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.ImageUsers;
import dev.berth.runtime.host.oci.OciSpec;
import dev.berth.runtime.host.oci.ResolvedUser;

/** Who the process runs as, resolved against the image's own account files (never the host's). */
public final class UserStep implements SpecStep {

    @Override
    public void apply(ContainerSpecRequest request, OciSpec.Builder spec) {
        ResolvedUser user = ImageUsers.of(request.rootfs()).resolve(request.security(), request.image().user());
        spec.process().user(OciSpec.User.of(user.uid(), user.gid(), user.additionalGids()));
    }
}
