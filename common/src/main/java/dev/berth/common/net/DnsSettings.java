package dev.berth.common.net;

import java.util.List;

/**
 * A pod's DNS settings as the CRI's DNSConfig gives them: written to the pod's resolv.conf, and passed to CNI
 * plugins that declare the {@code dns} capability. All empty means "copy the node's resolv.conf".
 */
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
