package dev.berth.runtime.host.ns;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a sandbox's pinned namespaces are. A null path means the sandbox uses the host's namespace of that kind
 * (NODE mode; for {@code user}: the host's user namespace).
 *
 * @param userMapping the pod's user namespace mapping when {@code user} is pinned (null when unknown or none)
 */
public record PinnedNamespaces(String sandboxId, Path net, Path ipc, Path uts, Path user,
        UserNamespaceMapping userMapping) {

    public PinnedNamespaces(String sandboxId, Path net, Path ipc, Path uts) {
        this(sandboxId, net, ipc, uts, null, null);
    }

    public static PinnedNamespaces none(String sandboxId) {
        return new PinnedNamespaces(sandboxId, null, null, null);
    }

    /** The pod's own user namespace and its mapping, when it has one. */
    public Optional<UserNamespaceMapping> ownUserNamespace() {
        return user == null ? Optional.empty() : Optional.ofNullable(userMapping);
    }

    public Optional<Path> path(NamespaceKind kind) {
        switch (kind) {
            case NET: return Optional.ofNullable(net);
            case IPC: return Optional.ofNullable(ipc);
            case UTS: return Optional.ofNullable(uts);
            case USER: return Optional.ofNullable(user);
            default: throw new IllegalArgumentException(kind.name());
        }
    }

    public boolean isPinned(NamespaceKind kind) {
        return path(kind).isPresent();
    }
}
