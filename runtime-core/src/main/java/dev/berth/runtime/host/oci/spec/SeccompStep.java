package dev.berth.runtime.host.oci.spec;

import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.SecurityProfile;
import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.OciJson;
import dev.berth.runtime.host.oci.OciSpec;
import dev.berth.runtime.host.oci.SeccompProfiles;
import java.util.List;

/**
 * The seccomp filter the request's profile names. Runs after the capability step: RuntimeDefault allows the calls
 * that need a capability only when the container's bounding set holds it.
 */
public final class SeccompStep implements SpecStep {

    private final OciJson json;

    public SeccompStep(OciJson json) {
        this.json = json;
    }

    @Override
    public void apply(ContainerSpecRequest request, OciSpec.Builder spec) {
        OciSpec.Capabilities granted = spec.process().capabilities();
        List<String> bounding = granted == null ? List.of() : granted.bounding();
        spec.linux().seccomp(SeccompProfiles.forContainer(profile(request.security()), request.privileged(),
                bounding, json));
    }

    // The legacy string field is still sent by older kubelets.
    @SuppressWarnings("deprecation")
    private static SecurityProfile profile(LinuxContainerSecurityContext security) {
        if (security.hasSeccomp()) {
            return security.getSeccomp();
        }
        // Legacy string form: "unconfined", "runtime/default", "docker/default", "localhost/<path>", or empty.
        String legacy = security.getSeccompProfilePath();
        var builder = SecurityProfile.newBuilder();
        if (legacy.equals("unconfined")) {
            builder.setProfileType(SecurityProfile.ProfileType.Unconfined);
        } else if (legacy.startsWith("localhost/")) {
            builder.setProfileType(SecurityProfile.ProfileType.Localhost)
                    .setLocalhostRef(legacy.substring("localhost/".length()));
        } else {
            builder.setProfileType(SecurityProfile.ProfileType.RuntimeDefault);
        }
        return builder.build();
    }
}
