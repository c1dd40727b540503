package dev.berth.cni.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cni.net.Cidr;
import dev.berth.common.exec.CommandFailedException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The built-in network's nftables table ({@code table inet <name>}): nobody else's rules are touched. Static rules
 * never change per pod; host ports are elements of four verdict-free maps, so a pod's mappings are added and removed
 * as elements without rule handles:
 *
 * <ul>
 *   <li>{@code hostports4/6}: {@code proto . port → pod address . port} for mappings on every node address;</li>
 *   <li>{@code hostips4/6}: {@code node address . proto . port → …} for mappings bound to one node address.</li>
 * </ul>
 *
 * DNAT applies to traffic for any local address, in prerouting (from outside and from pods) and in output (from the
 * node, 127.0.0.1 included). Masquerade covers three cases: pod traffic leaving the pod subnets, DNAT'd traffic
 * from a pod back into the pod subnets (hairpin, and pod → host port → other pod: the reply must come back through
 * the node), and DNAT'd traffic from 127.0.0.0/8 (which needs {@code route_localnet} on the bridge).
 */
final class NftRules {

    /** The maps host port elements live in. */
    enum HostPortMap {
        ANY4("hostports4", "inet_proto . inet_service : ipv4_addr . inet_service"),
        ANY6("hostports6", "inet_proto . inet_service : ipv6_addr . inet_service"),
        ADDR4("hostips4", "ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service"),
        ADDR6("hostips6", "ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service");

        final String setName;
        final String type;

        HostPortMap(String setName, String type) {
            this.setName = setName;
            this.type = type;
        }
    }

    /** One map element: {@code key} and {@code value} in nft syntax, e.g. {@code tcp . 8080} → {@code 10.89.0.5 . 80}. */
    record Element(HostPortMap map, String key, String value) {

        /** The pod address the element sends traffic to. */
        String podAddress() {
            return value.substring(0, value.indexOf(" . "));
        }
    }

    private final Nft nft;
    private final String table;
    private final boolean masquerade;

    NftRules(Nft nft, String table, boolean masquerade) {
        this.nft = nft;
        this.table = table;
        this.masquerade = masquerade;
    }

    String table() {
        return table;
    }

    /** Replaces the whole table in one transaction: rules, the pod subnets and every host port element given. */
    void install(List<Cidr> subnets, List<Element> elements) {
        StringBuilder script = new StringBuilder();
        // "add" then "delete" makes the delete idempotent; the three statements are one transaction.
        script.append("table inet ").append(table).append(" {}\n");
        script.append("delete table inet ").append(table).append('\n');
        script.append("table inet ").append(table).append(" {\n");
        appendSubnetSet(script, "podnets4", "ipv4_addr", subnets.stream().filter(Cidr::isIpv4).toList());
        appendSubnetSet(script, "podnets6", "ipv6_addr", subnets.stream().filter(c -> !c.isIpv4()).toList());
        for (HostPortMap map : HostPortMap.values()) {
            List<Element> mine = elements.stream().filter(e -> e.map() == map).toList();
            script.append("  map ").append(map.setName).append(" { type ").append(map.type).append(';');
            if (!mine.isEmpty()) {
                script.append(" elements = { ").append(elementList(mine, true)).append(" };");
            }
            script.append(" }\n");
        }
        script.append("""
                  chain prerouting { type nat hook prerouting priority dstnat; policy accept; fib daddr type local jump hostports; }
                  chain output { type nat hook output priority -100; policy accept; fib daddr type local jump hostports; }
                  chain hostports {
                    meta nfproto ipv4 dnat ip to ip daddr . meta l4proto . th dport map @hostips4
                    meta nfproto ipv4 dnat ip to meta l4proto . th dport map @hostports4
                    meta nfproto ipv6 dnat ip6 to ip6 daddr . meta l4proto . th dport map @hostips6
                    meta nfproto ipv6 dnat ip6 to meta l4proto . th dport map @hostports6
                  }
                  chain postrouting {
                    type nat hook postrouting priority srcnat; policy accept;
                    ct status dnat ip saddr 127.0.0.0/8 ip daddr @podnets4 masquerade
                    ct status dnat ip saddr @podnets4 ip daddr @podnets4 masquerade
                    ct status dnat ip6 saddr @podnets6 ip6 daddr @podnets6 masquerade
                """);
        if (masquerade) {
            script.append("""
                        ip saddr @podnets4 ip daddr != @podnets4 ip daddr != 224.0.0.0/4 masquerade
                        ip6 saddr @podnets6 ip6 daddr != @podnets6 ip6 daddr != ff00::/8 masquerade
                    """);
        }
        script.append("  }\n}\n");
        nft.apply(script.toString());
    }

    /** Replaces the pod subnet sets (after a pod CIDR change) without touching host ports. */
    void updateSubnets(List<Cidr> subnets) {
        StringBuilder script = new StringBuilder();
        appendSubnetUpdate(script, "podnets4", subnets.stream().filter(Cidr::isIpv4).toList());
        appendSubnetUpdate(script, "podnets6", subnets.stream().filter(c -> !c.isIpv4()).toList());
        nft.apply(script.toString());
    }

    void add(List<Element> elements) {
        if (elements.isEmpty()) {
            return;
        }
        StringBuilder script = new StringBuilder();
        byMap(elements).forEach((map, mine) -> script.append("add element inet ").append(table).append(' ')
                .append(map.setName).append(" { ").append(elementList(mine, true)).append(" }\n"));
        nft.apply(script.toString());
    }

    /** Deletes the elements; those already gone are fine (a crash may have left a record without its elements). */
    void remove(List<Element> elements) {
        if (elements.isEmpty()) {
            return;
        }
        try {
            nft.apply(deleteScript(elements));
        } catch (CommandFailedException e) {
            Set<String> present = new HashSet<>();
            for (Element element : elements().orElse(List.of())) {
                present.add(element.map() + " " + element.key());
            }
            List<Element> remaining = elements.stream().filter(el -> present.contains(el.map() + " " + el.key()))
                    .toList();
            if (!remaining.isEmpty()) {
                nft.apply(deleteScript(remaining));
            }
        }
    }

    /** Every host port element in the table; empty when the table does not exist (one {@code nft} call). */
    Optional<List<Element>> elements() {
        return nft.list("table", "inet", table).map(listing -> {
            List<Element> elements = new ArrayList<>();
            for (JsonNode entry : listing.path("nftables")) {
                JsonNode map = entry.path("map");
                Optional<HostPortMap> which = Arrays.stream(HostPortMap.values())
                        .filter(m -> m.setName.equals(map.path("name").asText())).findFirst();
                which.ifPresent(m -> map.path("elem").forEach(pair ->
                        elements.add(new Element(m, concat(pair.get(0)), concat(pair.get(1))))));
            }
            return elements;
        });
    }

    private String deleteScript(List<Element> elements) {
        StringBuilder script = new StringBuilder();
        byMap(elements).forEach((map, mine) -> script.append("delete element inet ").append(table).append(' ')
                .append(map.setName).append(" { ").append(elementList(mine, false)).append(" }\n"));
        return script.toString();
    }

    private static Map<HostPortMap, List<Element>> byMap(List<Element> elements) {
        Map<HostPortMap, List<Element>> grouped = new LinkedHashMap<>();
        for (Element element : elements) {
            grouped.computeIfAbsent(element.map(), m -> new ArrayList<>()).add(element);
        }
        return grouped;
    }

    private static String elementList(List<Element> elements, boolean withValues) {
        return elements.stream().map(e -> withValues ? e.key() + " : " + e.value() : e.key())
                .collect(Collectors.joining(", "));
    }

    private static void appendSubnetSet(StringBuilder script, String name, String type, List<Cidr> subnets) {
        script.append("  set ").append(name).append(" { type ").append(type).append("; flags interval; auto-merge;");
        if (!subnets.isEmpty()) {
            script.append(" elements = { ").append(subnetList(subnets)).append(" };");
        }
        script.append(" }\n");
    }

    private void appendSubnetUpdate(StringBuilder script, String name, List<Cidr> subnets) {
        script.append("flush set inet ").append(table).append(' ').append(name).append('\n');
        if (!subnets.isEmpty()) {
            script.append("add element inet ").append(table).append(' ').append(name).append(" { ")
                    .append(subnetList(subnets)).append(" }\n");
        }
    }

    private static String subnetList(List<Cidr> subnets) {
        return subnets.stream().map(Cidr::toString).distinct().collect(Collectors.joining(", "));
    }

    /** nft's JSON for a concatenation ({@code {"concat": ["tcp", 8080]}}) back to nft syntax. */
    private static String concat(JsonNode node) {
        if (node == null) {
            return "";
        }
        JsonNode parts = node.path("concat");
        if (!parts.isArray()) {
            return node.asText();
        }
        List<String> words = new ArrayList<>();
        parts.forEach(part -> words.add(part.asText()));
        return String.join(" . ", words);
    }
}
