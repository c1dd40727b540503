package dev.berth.runtime.host.files;

import dev.berth.proto.runtime.v1.DNSConfig;
import java.util.List;

/** resolv.conf content asked for by the kubelet; all empty means "copy the host's". */
public record DnsSettings(List<String> servers, List<String> searches, List<String> options) {

    public DnsSettings {
        servers = List.copyOf(servers);
        searches = List.copyOf(searches);
        options = List.copyOf(options);
    }

    public static DnsSettings from(DNSConfig config) {
        return new DnsSettings(config.getServersList(), config.getSearchesList(), config.getOptionsList());
    }

    public boolean isEmpty() {
        return servers.isEmpty() && searches.isEmpty() && options.isEmpty();
    }
}
