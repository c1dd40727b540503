package dev.berth.runtime.host.ns;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a sandbox's pinned namespaces are. A null path means the sandbox uses the host's namespace of that kind
 * (NODE mode).
 */
public record PinnedNamespaces(String sandboxId, Path net, Path ipc, Path uts) {

    public static PinnedNamespaces none(String sandboxId) {
        return new PinnedNamespaces(sandboxId, null, null, null);
    }

    public Optional<Path> path(NamespaceKind kind) {
        switch (kind) {
            case NET: return Optional.ofNullable(net);
            case IPC: return Optional.ofNullable(ipc);
            case UTS: return Optional.ofNullable(uts);
            default: throw new IllegalArgumentException(kind.name());
        }
    }

    public boolean isPinned(NamespaceKind kind) {
        return path(kind).isPresent();
    }
}
