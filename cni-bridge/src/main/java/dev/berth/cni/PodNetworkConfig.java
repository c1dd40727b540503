package dev.berth.cni;

import dev.berth.cni.net.Cidr;
import dev.berth.common.error.BerthException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Settings of the pod network. Every field has a default ({@link #defaults()}); build variants with
 * {@link #builder()} or {@link #toBuilder()}.
 *
 * @param mode          which network new pods get; see {@link NetworkMode}
 * @param bridgeName    the built-in network's bridge (at most 15 characters)
 * @param subnetV4      the built-in network's IPv4 pod subnet, "" for none
 * @param subnetV6      the built-in network's IPv6 pod subnet, "" for none; both set = dual-stack
 * @param confDir       where CNI network config lists are looked for
 * @param binDirs       where CNI plugin binaries are looked for, in order (also passed as CNI_PATH)
 * @param stateDir      IPAM files, attachment records and cached CNI results; persistent, so garbage collection
 *                      after a reboot still knows what was handed out
 * @param mtu           MTU of the built-in bridge and veths; 0 = the MTU of the interface of the default route
 * @param hairpin       hairpin mode on the built-in bridge's ports (a pod reaching itself through a host port)
 * @param nftTable      the {@code inet} nftables table the built-in network owns (and may rebuild at will)
 * @param ipMasquerade  masquerade pod traffic that leaves the pod subnets
 * @param ipForwarding  turn on IPv4 (and, with an IPv6 subnet, IPv6) forwarding on the node
 * @param pluginTimeout how long one CNI plugin invocation may take
 * @param gcGracePeriod attachments made by this process less than this long ago are never garbage collected: the
 *                      caller's list of live sandboxes may not know them yet
 */
public record PodNetworkConfig(NetworkMode mode, String bridgeName, String subnetV4, String subnetV6, Path confDir,
                               List<Path> binDirs, Path stateDir, int mtu, boolean hairpin, String nftTable,
                               boolean ipMasquerade, boolean ipForwarding, Duration pluginTimeout,
                               Duration gcGracePeriod) {

    public static final String DEFAULT_BRIDGE = "berth0";
    /** containerd's default is 10.88.0.0/16; berth takes the next one so both can live on one node. */
    public static final String DEFAULT_SUBNET_V4 = "10.89.0.0/16";
    public static final Path DEFAULT_CONF_DIR = Path.of("/etc/cni/net.d");
    public static final List<Path> DEFAULT_BIN_DIRS = List.of(Path.of("/opt/cni/bin"), Path.of("/usr/lib/cni"));
    public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/berth/cni");

    private static final Pattern LINK_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern NFT_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    public PodNetworkConfig {
        if (mode == null) {
            throw BerthException.invalidArgument("network mode is required");
        }
        if (bridgeName == null || !LINK_NAME.matcher(bridgeName).matches()) {
            throw BerthException.invalidArgument("invalid bridge name: " + bridgeName);
        }
        subnetV4 = subnetV4 == null ? "" : subnetV4.strip();
        subnetV6 = subnetV6 == null ? "" : subnetV6.strip();
        if (subnetV4.isEmpty() && subnetV6.isEmpty()) {
            throw BerthException.invalidArgument("the built-in network needs an IPv4 or an IPv6 subnet");
        }
        if (!subnetV4.isEmpty() && !Cidr.parse(subnetV4).isIpv4()) {
            throw BerthException.invalidArgument("not an IPv4 subnet: " + subnetV4);
        }
        if (!subnetV6.isEmpty() && Cidr.parse(subnetV6).isIpv4()) {
            throw BerthException.invalidArgument("not an IPv6 subnet: " + subnetV6);
        }
        binDirs = List.copyOf(binDirs);
        if (mtu < 0 || mtu > 65535) {
            throw BerthException.invalidArgument("invalid mtu: " + mtu);
        }
        if (nftTable == null || nftTable.isEmpty()) {
            nftTable = defaultNftTable(bridgeName);
        }
        if (!NFT_NAME.matcher(nftTable).matches()) {
            throw BerthException.invalidArgument("invalid nftables table name: " + nftTable);
        }
        if (confDir == null || stateDir == null || pluginTimeout == null || gcGracePeriod == null) {
            throw BerthException.invalidArgument("confDir, stateDir, pluginTimeout and gcGracePeriod are required");
        }
    }

    public static PodNetworkConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these values; a table name derived from the bridge stays derived. */
    public Builder toBuilder() {
        return new Builder().mode(mode).bridgeName(bridgeName).subnetV4(subnetV4).subnetV6(subnetV6)
                .confDir(confDir).binDirs(binDirs).stateDir(stateDir).mtu(mtu).hairpin(hairpin)
                .nftTable(nftTable.equals(defaultNftTable(bridgeName)) ? "" : nftTable).ipMasquerade(ipMasquerade).ipForwarding(ipForwarding)
                .pluginTimeout(pluginTimeout).gcGracePeriod(gcGracePeriod);
    }

    /** {@code berth} for the default bridge, {@code berth_<bridge>} for any other, so two networks never share one. */
    static String defaultNftTable(String bridge) {
        return bridge.equals(DEFAULT_BRIDGE) ? "berth" : "berth_" + bridge.replaceAll("[^A-Za-z0-9_]", "_");
    }

    /** Builds a {@link PodNetworkConfig}; unset fields keep their defaults. */
    public static final class Builder {
        private NetworkMode mode = NetworkMode.AUTO;
        private String bridgeName = DEFAULT_BRIDGE;
        private String subnetV4 = DEFAULT_SUBNET_V4;
        private String subnetV6 = "";
        private Path confDir = DEFAULT_CONF_DIR;
        private List<Path> binDirs = DEFAULT_BIN_DIRS;
        private Path stateDir = DEFAULT_STATE_DIR;
        private int mtu;
        private boolean hairpin = true;
        private String nftTable = "";
        private boolean ipMasquerade = true;
        private boolean ipForwarding = true;
        private Duration pluginTimeout = Duration.ofSeconds(60);
        private Duration gcGracePeriod = Duration.ofSeconds(60);

        private Builder() {
        }

        public Builder mode(NetworkMode value) {
            mode = value;
            return this;
        }

        public Builder bridgeName(String value) {
            bridgeName = value;
            return this;
        }

        public Builder subnetV4(String value) {
            subnetV4 = value;
            return this;
        }

        public Builder subnetV6(String value) {
            subnetV6 = value;
            return this;
        }

        public Builder confDir(Path value) {
            confDir = value;
            return this;
        }

        public Builder binDirs(List<Path> value) {
            binDirs = value;
            return this;
        }

        public Builder stateDir(Path value) {
            stateDir = value;
            return this;
        }

        public Builder mtu(int value) {
            mtu = value;
            return this;
        }

        public Builder hairpin(boolean value) {
            hairpin = value;
            return this;
        }

        /** "" derives the name from the bridge. */
        public Builder nftTable(String value) {
            nftTable = value;
            return this;
        }

        public Builder ipMasquerade(boolean value) {
            ipMasquerade = value;
            return this;
        }

        public Builder ipForwarding(boolean value) {
            ipForwarding = value;
            return this;
        }

        public Builder pluginTimeout(Duration value) {
            pluginTimeout = value;
            return this;
        }

        public Builder gcGracePeriod(Duration value) {
            gcGracePeriod = value;
            return this;
        }

        public PodNetworkConfig build() {
            return new PodNetworkConfig(mode, bridgeName, subnetV4, subnetV6, confDir, binDirs, stateDir, mtu,
                    hairpin, nftTable, ipMasquerade, ipForwarding, pluginTimeout, gcGracePeriod);
        }
    }
}
