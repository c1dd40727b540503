package dev.berth.runtime.host.oci.spec;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.SecurityProfile;
import dev.berth.proto.runtime.v1.SecurityProfile.ProfileType;
import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.OciJson;
import dev.berth.runtime.host.oci.OciSpec;
import dev.berth.runtime.host.oci.SeccompProfiles;
import java.util.List;

/**
 * The seccomp filter the request's profile names. A request that names none runs unconfined, as the CRI API defines
 * it (the kubelet sends RuntimeDefault itself when its SeccompDefault is on); a node may opt in to RuntimeDefault
 * instead. Runs after the capability step: RuntimeDefault allows the calls that need a capability only when the
 * container's bounding set holds it.
 */
public final class SeccompStep implements SpecStep {

    private static final String LOCALHOST_PREFIX = "localhost/";

    private final OciJson json;
    private final SecurityProfile unset;

    /** @param unsetIsRuntimeDefault whether a request without a profile gets RuntimeDefault rather than none */
    public SeccompStep(OciJson json, boolean unsetIsRuntimeDefault) {
        this.json = json;
        this.unset = SecurityProfile.newBuilder()
                .setProfileType(unsetIsRuntimeDefault ? ProfileType.RuntimeDefault : ProfileType.Unconfined)
                .build();
    }

    @Override
    public void apply(ContainerSpecRequest request, OciSpec.Builder spec) {
        if (request.privileged()) {
            // No filter, whatever profile the request names (it is not even read).
            return;
        }
        OciSpec.Capabilities granted = spec.process().capabilities();
        List<String> bounding = granted == null ? List.of() : granted.bounding();
        spec.linux().seccomp(SeccompProfiles.forContainer(profile(request.security()), bounding, json));
    }

    // The legacy string field is still sent by older kubelets.
    @SuppressWarnings("deprecation")
    private SecurityProfile profile(LinuxContainerSecurityContext security) {
        if (security.hasSeccomp()) {
            return security.getSeccomp();
        }
        String legacy = security.getSeccompProfilePath();
        switch (legacy) {
            case "":
                return unset;
            case "unconfined":
                return SecurityProfile.newBuilder().setProfileType(ProfileType.Unconfined).build();
            case "runtime/default":
            case "docker/default":
                return SecurityProfile.newBuilder().setProfileType(ProfileType.RuntimeDefault).build();
            default:
                if (!legacy.startsWith(LOCALHOST_PREFIX)) {
                    throw BerthException.invalidArgument("seccomp_profile_path \"" + legacy + "\" is not \"\", "
                            + "\"unconfined\", \"runtime/default\", \"docker/default\" or \"localhost/<path>\"");
                }
                return SecurityProfile.newBuilder().setProfileType(ProfileType.Localhost)
                        .setLocalhostRef(legacy.substring(LOCALHOST_PREFIX.length())).build();
        }
    }
}
