package dev.berth.cni.builtin;

import dev.berth.cni.net.Cidr;
import dev.berth.common.error.BerthException;
import dev.berth.common.fs.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The pools new pods get addresses from: the configured subnets, each family replaced by the pod CIDR the kubelet
 * sent ({@code UpdateRuntimeConfig}). The kubelet's CIDR is persisted so pods created after a restart, before the
 * kubelet sends it again, stay in the same range.
 */
final class PodSubnets {

    private final Path overrideFile;
    private final List<IpPool> configured;
    private volatile List<IpPool> current;

    PodSubnets(Path overrideFile, String subnetV4, String subnetV6) {
        this.overrideFile = overrideFile;
        List<IpPool> pools = new ArrayList<>();
        if (!subnetV4.isEmpty()) {
            pools.add(IpPool.parse(subnetV4));
        }
        if (!subnetV6.isEmpty()) {
            pools.add(IpPool.parse(subnetV6));
        }
        this.configured = List.copyOf(pools);
        this.current = merge(configured, readOverride());
    }

    List<IpPool> pools() {
        return current;
    }

    /**
     * Applies a pod CIDR ("10.244.1.0/24", or dual-stack "10.244.1.0/24,fd00:1::/64"); returns true when the pools
     * changed.
     */
    boolean update(String podCidr) {
        List<IpPool> override = parse(podCidr);
        List<IpPool> merged = merge(configured, override);
        if (merged.equals(current)) {
            return false;
        }
        AtomicFiles.write(overrideFile, podCidr.strip().getBytes(StandardCharsets.UTF_8));
        current = merged;
        return true;
    }

    private List<IpPool> readOverride() {
        try {
            return parse(Files.readString(overrideFile, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + overrideFile, e);
        }
    }

    private static List<IpPool> parse(String podCidr) {
        List<IpPool> pools = new ArrayList<>();
        for (String part : podCidr.split(",")) {
            if (!part.isBlank()) {
                pools.add(IpPool.parse(part.strip()));
            }
        }
        if (pools.stream().filter(IpPool::isIpv4).count() > 1 || pools.stream().filter(p -> !p.isIpv4()).count() > 1) {
            throw BerthException.invalidArgument("pod CIDR may name one subnet per address family: " + podCidr);
        }
        return pools;
    }

    /** Each family of the override replaces the configured one; IPv4 stays first. */
    private static List<IpPool> merge(List<IpPool> base, List<IpPool> override) {
        List<IpPool> merged = new ArrayList<>();
        for (boolean ipv4 : new boolean[] {true, false}) {
            override.stream().filter(p -> p.isIpv4() == ipv4).findFirst()
                    .or(() -> base.stream().filter(p -> p.isIpv4() == ipv4).findFirst())
                    .ifPresent(merged::add);
        }
        return List.copyOf(merged);
    }

    List<Cidr> subnets() {
        return current.stream().map(IpPool::subnet).toList();
    }
}
