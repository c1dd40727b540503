package dev.berth.runtime.sandbox;

import java.util.List;

/** resolv.conf content requested for a pod; all empty means "copy the host's". */
public record DnsSettings(List<String> servers, List<String> searches, List<String> options) {

    public static final DnsSettings NONE = new DnsSettings(List.of(), List.of(), List.of());

    public DnsSettings {
        servers = servers == null ? List.of() : List.copyOf(servers);
        searches = searches == null ? List.of() : List.copyOf(searches);
        options = options == null ? List.of() : List.copyOf(options);
    }

    public boolean isEmpty() {
        return servers.isEmpty() && searches.isEmpty() && options.isEmpty();
    }
}
