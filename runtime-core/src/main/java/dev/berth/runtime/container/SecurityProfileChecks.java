package dev.berth.runtime.container;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.SecurityProfile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Seccomp and AppArmor selections berth cannot honour: a profile type this version of the API does not define, a
 * legacy AppArmor string of no known form, and a Localhost AppArmor profile on a node without AppArmor (the
 * container would otherwise run unconfined while its pod asked for a profile). A privileged container ignores both
 * profiles, but a malformed request is refused all the same.
 */
final class SecurityProfileChecks {

    private final boolean appArmorEnabled;

    SecurityProfileChecks(boolean appArmorEnabled) {
        this.appArmorEnabled = appArmorEnabled;
    }

    /** AppArmor is usable when the kernel exposes its securityfs directory. */
    static SecurityProfileChecks forHost() {
        return new SecurityProfileChecks(Files.isDirectory(Path.of("/sys/kernel/security/apparmor")));
    }

    @SuppressWarnings("deprecation") // the legacy apparmor_profile string
    void validate(LinuxContainerSecurityContext security) {
        if (security.hasSeccomp()) {
            knownType(security.getSeccomp(), "config.linux.security_context.seccomp.profile_type");
        }
        boolean localhostAppArmor;
        if (security.hasApparmor()) {
            knownType(security.getApparmor(), "config.linux.security_context.apparmor.profile_type");
            localhostAppArmor = security.getApparmor().getProfileType() == SecurityProfile.ProfileType.Localhost;
        } else {
            String legacy = security.getApparmorProfile();
            if (!legacy.isEmpty() && !legacy.equals("runtime/default") && !legacy.equals("unconfined")
                    && !legacy.startsWith("localhost/")) {
                throw BerthException.invalidArgument("config.linux.security_context.apparmor_profile \"" + legacy
                        + "\" is not \"\", \"runtime/default\", \"unconfined\" or \"localhost/<name>\"");
            }
            localhostAppArmor = legacy.startsWith("localhost/");
        }
        if (localhostAppArmor && !appArmorEnabled && !security.getPrivileged()) {
            throw BerthException.failedPrecondition("config.linux.security_context.apparmor asks for a Localhost "
                    + "profile, but this node has no AppArmor (no /sys/kernel/security/apparmor)");
        }
    }

    private static void knownType(SecurityProfile profile, String field) {
        if (profile.getProfileType() == SecurityProfile.ProfileType.UNRECOGNIZED) {
            throw BerthException.invalidArgument(field + " " + profile.getProfileTypeValue()
                    + " is not RuntimeDefault (0), Unconfined (1) or Localhost (2)");
        }
    }
}
