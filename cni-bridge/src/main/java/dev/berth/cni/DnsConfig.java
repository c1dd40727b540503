package dev.berth.cni;

import java.util.List;

/** The pod's DNS settings, passed to CNI plugins that declare the {@code dns} capability. */
public record DnsConfig(List<String> servers, List<String> searches, List<String> options) {

    public DnsConfig {
        servers = List.copyOf(servers);
        searches = List.copyOf(searches);
        options = List.copyOf(options);
    }
}
