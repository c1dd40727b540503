package dev.berth.cni.attach;

import dev.berth.common.error.BerthException;
import dev.berth.common.net.PortMapping;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which pod holds which host port. Two pods may not publish the same protocol and port on overlapping node
 * addresses (a wildcard overlaps everything); the kernel would silently send the traffic to only one of them.
 */
public final class HostPortRegistry {

    private record Holder(String sandboxId, String podFullName, PortMapping mapping) {
    }

    private final Map<String, List<Holder>> bySandbox = new HashMap<>();

    public synchronized void load(Collection<AttachmentRecord> records) {
        for (AttachmentRecord record : records) {
            bySandbox.put(record.sandboxId(), holders(record.sandboxId(), record.podFullName(),
                    record.portMappings()));
        }
    }

    /** Reserves every published mapping of a pod, or none of them. */
    public synchronized void reserve(String sandboxId, String podFullName, List<PortMapping> mappings) {
        List<Holder> wanted = holders(sandboxId, podFullName, mappings);
        for (int i = 0; i < wanted.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (overlaps(wanted.get(i).mapping(), wanted.get(j).mapping())) {
                    throw BerthException.invalidArgument("pod " + podFullName + " publishes host port "
                            + describe(wanted.get(i).mapping()) + " twice");
                }
            }
        }
        for (Map.Entry<String, List<Holder>> entry : bySandbox.entrySet()) {
            if (entry.getKey().equals(sandboxId)) {
                continue;
            }
            for (Holder held : entry.getValue()) {
                for (Holder want : wanted) {
                    if (overlaps(held.mapping(), want.mapping())) {
                        throw BerthException.alreadyExists("host port " + describe(want.mapping())
                                + " is already published by pod " + held.podFullName() + " (sandbox "
                                + held.sandboxId() + ")");
                    }
                }
            }
        }
        if (!wanted.isEmpty()) {
            bySandbox.put(sandboxId, wanted);
        }
    }

    public synchronized void release(String sandboxId) {
        bySandbox.remove(sandboxId);
    }

    private static List<Holder> holders(String sandboxId, String podFullName, List<PortMapping> mappings) {
        List<Holder> result = new ArrayList<>();
        for (PortMapping mapping : mappings) {
            if (mapping.publishesHostPort()) {
                result.add(new Holder(sandboxId, podFullName, mapping));
            }
        }
        return result;
    }

    private static boolean overlaps(PortMapping a, PortMapping b) {
        return a.protocol() == b.protocol() && a.hostPort() == b.hostPort()
                && (a.anyHostIp() || b.anyHostIp() || a.hostIp().equals(b.hostIp()));
    }

    private static String describe(PortMapping mapping) {
        return (mapping.anyHostIp() ? "" : mapping.hostIp() + ":") + mapping.hostPort() + "/"
                + mapping.protocol().wireName();
    }
}
