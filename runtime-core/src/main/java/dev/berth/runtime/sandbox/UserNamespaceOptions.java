package dev.berth.runtime.sandbox;

import dev.berth.common.error.BerthException;
import dev.berth.runtime.host.ns.UserNamespaceMapping;
import dev.berth.proto.runtime.v1.IDMapping;
import dev.berth.proto.runtime.v1.NamespaceMode;
import dev.berth.proto.runtime.v1.NamespaceOption;
import dev.berth.proto.runtime.v1.UserNamespace;
import java.util.List;

/**
 * Checks {@code userns_options} of a pod or container before anything is made. Unset or NODE is the host's user
 * namespace (an unset message would read as POD, the enum's zero, so presence is what counts). POD is well-formed with
 * one uid and one gid mapping, each mapping container id 0: the pod then gets its own user namespace with that
 * mapping. CONTAINER and TARGET are refused.
 */
public final class UserNamespaceOptions {

    private UserNamespaceOptions() {
    }

    /** @param field the namespace options' field, e.g. {@code config.linux.security_context.namespace_options} */
    public static void validate(NamespaceOption namespaces, String field) {
        if (!namespaces.hasUsernsOptions()) {
            return;
        }
        UserNamespace options = namespaces.getUsernsOptions();
        field = field + ".userns_options";
        switch (options.getMode()) {
            case NODE:
                return;
            case POD:
                break;
            default:
                throw BerthException.invalidArgument(field + ".mode must be POD or NODE, got " + options.getMode());
        }
        mappings(options.getUidsList(), field + ".uids");
        mappings(options.getGidsList(), field + ".gids");
    }

    /** The pod's own user namespace mapping for a validated mode POD; null for NODE or unset. */
    public static UserNamespaceMapping mappingOf(NamespaceOption namespaces) {
        if (!namespaces.hasUsernsOptions() || namespaces.getUsernsOptions().getMode() != NamespaceMode.POD
                || namespaces.getUsernsOptions().getUidsCount() != 1
                || namespaces.getUsernsOptions().getGidsCount() != 1
                || namespaces.getUsernsOptions().getUids(0).getLength() == 0
                || namespaces.getUsernsOptions().getGids(0).getLength() == 0) {
            return null; // not mode POD, or malformed: validate() says what is wrong
        }
        IDMapping uid = namespaces.getUsernsOptions().getUids(0);
        IDMapping gid = namespaces.getUsernsOptions().getGids(0);
        return new UserNamespaceMapping(Integer.toUnsignedLong(uid.getHostId()),
                Integer.toUnsignedLong(uid.getLength()), Integer.toUnsignedLong(gid.getHostId()),
                Integer.toUnsignedLong(gid.getLength()));
    }

    private static void mappings(List<IDMapping> mappings, String field) {
        if (mappings.size() != 1) {
            throw BerthException.invalidArgument(field + " must hold exactly one mapping for mode POD, got "
                    + mappings.size());
        }
        IDMapping mapping = mappings.get(0);
        if (mapping.getContainerId() != 0) {
            throw BerthException.invalidArgument(field + " must map container id 0 (root in the pod), got a "
                    + "mapping from container id " + Integer.toUnsignedString(mapping.getContainerId()));
        }
        if (mapping.getLength() == 0) {
            throw BerthException.invalidArgument(field + " maps no ids (length 0)");
        }
    }
}
