package dev.berth.runtime.host.files;

import dev.berth.common.error.BerthException;
import dev.berth.common.exec.Command;
import dev.berth.common.exec.CommandFailedException;
import dev.berth.runtime.host.ns.NamespaceKind;
import dev.berth.runtime.host.ns.PinnedNamespaces;
import dev.berth.runtime.host.sys.Binaries;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Applies a pod's sysctls inside its pinned namespaces with one {@code nsenter … sysctl -w} spawn. Only namespaced
 * sysctls are accepted, and only when the pod has its own namespace of that kind.
 */
public final class SandboxSysctls {

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_./-]*");
    private static final Set<String> IPC_KEYS = Set.of("kernel.shmall", "kernel.shmmax", "kernel.shmmni",
            "kernel.shm_rmid_forced", "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem");
    private static final Set<String> UTS_KEYS = Set.of("kernel.hostname", "kernel.domainname");

    /** Which namespace a sysctl belongs to, or empty when it is node-wide. Accepts dot and slash forms. */
    public static Optional<NamespaceKind> namespaceOf(String key) {
        String dotted = key.replace('/', '.');
        if (IPC_KEYS.contains(dotted) || dotted.startsWith("fs.mqueue.")) {
            return Optional.of(NamespaceKind.IPC);
        }
        if (UTS_KEYS.contains(dotted)) {
            return Optional.of(NamespaceKind.UTS);
        }
        if (dotted.startsWith("net.")) {
            return Optional.of(NamespaceKind.NET);
        }
        return Optional.empty();
    }

    /** Throws INVALID_ARGUMENT naming the first key that is not namespaced or whose namespace is the host's. */
    public static void validate(PinnedNamespaces namespaces, Map<String, String> sysctls) {
        for (Map.Entry<String, String> entry : sysctls.entrySet()) {
            String key = entry.getKey();
            if (!KEY.matcher(key).matches() || key.contains("..")) {
                throw BerthException.invalidArgument("invalid sysctl name " + key);
            }
            if (entry.getValue().indexOf('\n') >= 0) {
                throw BerthException.invalidArgument("sysctl " + key + " value contains a line break");
            }
            Optional<NamespaceKind> kind = namespaceOf(key);
            if (kind.isEmpty()) {
                throw BerthException.invalidArgument("sysctl " + key + " is not namespaced");
            }
            if (!namespaces.isPinned(kind.get())) {
                throw BerthException.invalidArgument("sysctl " + key + " needs the pod's own "
                        + kind.get().dirName() + " namespace, but the pod uses the host's");
            }
        }
    }

    /** Validates, then writes all sysctls in the pod's namespaces. */
    public void apply(PinnedNamespaces namespaces, Map<String, String> sysctls) {
        validate(namespaces, sysctls);
        if (sysctls.isEmpty()) {
            return;
        }
        EnumSet<NamespaceKind> needed = EnumSet.noneOf(NamespaceKind.class);
        sysctls.keySet().forEach(k -> needed.add(namespaceOf(k).orElseThrow()));
        List<String> argv = new ArrayList<>();
        argv.add(Binaries.find("nsenter").toString());
        for (NamespaceKind kind : needed) {
            argv.add("--" + kind.dirName() + "=" + namespaces.path(kind).orElseThrow());
        }
        argv.add("--");
        argv.add(Binaries.find("sysctl").toString());
        argv.add("-q");
        argv.add("-w");
        sysctls.forEach((k, v) -> argv.add(k + "=" + v));
        try {
            Command.of(argv).withTimeout(Duration.ofSeconds(30)).check();
        } catch (CommandFailedException e) {
            throw BerthException.invalidArgument("cannot set sysctls " + sysctls.keySet() + ": "
                    + (e.stderr().isEmpty() ? e.getMessage() : e.stderr()));
        }
    }
}
