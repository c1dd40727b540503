package dev.berth.bench;

import dev.berth.bench.cni.CniChain;
import dev.berth.bench.host.Capabilities;
import java.nio.file.Path;

/**
 * The private containerd 1.6 instance's config.toml (version 2) and its CNI network config list.
 *
 * @param root          persistent state: content store, snapshots, metadata
 * @param state         volatile state: shim bundles, sandbox files, netns mounts, runc state
 * @param socket        the CRI/containerd gRPC socket (the ttrpc one sits next to it)
 * @param sandboxImage  the pause image the CRI plugin runs as every pod's infra container
 * @param registry      {@code 127.0.0.1:PORT}, reached over plain HTTP
 * @param cniConfDir    holds only the bench network's conflist
 * @param ipamDir       host-local's allocation files, kept out of /var/lib/cni
 * @param bridge        the bench bridge's name
 * @param subnet        the bench pod subnet
 */
record ContainerdConfig(Path root, Path state, Path socket, String sandboxImage, String registry, Path cniConfDir,
                        Path ipamDir, String bridge, String subnet) {

    static final String NETWORK_NAME = "berth-bench-containerd";
    static final String CNI_BIN_DIR = CniChain.BIN_DIR;
    static final String RUNC = "/usr/sbin/runc";

    /** runc state of the k8s.io namespace's containers: the shim's {@code Root} option plus the namespace. */
    Path runcRoot() {
        return state.resolve("runc");
    }

    String toml() {
        String cri = "[plugins.\"io.containerd.grpc.v1.cri\"";
        return "version = 2\n"
                + "root = " + Toml.quote(root.toString()) + "\n"
                + "state = " + Toml.quote(state.toString()) + "\n"
                // Plugins that would write outside the work dir (/opt/containerd) or probe other storage drivers.
                + "disabled_plugins = [\"io.containerd.internal.v1.opt\", \"io.containerd.snapshotter.v1.aufs\","
                + " \"io.containerd.snapshotter.v1.btrfs\", \"io.containerd.snapshotter.v1.devmapper\","
                + " \"io.containerd.snapshotter.v1.zfs\"]\n"
                + "\n[grpc]\n"
                + "  address = " + Toml.quote(socket.toString()) + "\n"
                + "\n[metrics]\n"
                + "  address = \"\"\n"
                + "\n" + cri + "]\n"
                + "  sandbox_image = " + Toml.quote(sandboxImage) + "\n"
                // netns pins under our state dir instead of /var/run/netns: nothing of ours outside the work dir.
                + "  netns_mounts_under_state_dir = true\n"
                + "  stream_server_address = \"127.0.0.1\"\n"
                + "  stream_server_port = \"0\"\n"
                + "  enable_selinux = false\n"
                // Sandboxes ask for oom_score_adj -998; where the daemon lacks CAP_SYS_RESOURCE (as on these
                // machines) runc cannot lower it, so clamp to containerd's own value, as rootless setups do.
                + "  restrict_oom_score_adj = " + restrictOomScoreAdj() + "\n"
                + "\n" + cri + ".containerd]\n"
                + "  snapshotter = \"overlayfs\"\n"
                + "  default_runtime_name = \"runc\"\n"
                + "\n" + cri + ".containerd.runtimes.runc]\n"
                + "  runtime_type = \"io.containerd.runc.v2\"\n"
                + "\n" + cri + ".containerd.runtimes.runc.options]\n"
                + "  BinaryName = " + Toml.quote(RUNC) + "\n"
                // The shim's runc state would otherwise go to /run/containerd/runc.
                + "  Root = " + Toml.quote(runcRoot().toString()) + "\n"
                + "  SystemdCgroup = false\n"
                + "\n" + cri + ".cni]\n"
                + "  bin_dir = " + Toml.quote(CNI_BIN_DIR) + "\n"
                + "  conf_dir = " + Toml.quote(cniConfDir.toString()) + "\n"
                + "  max_conf_num = 1\n"
                // containerd 1.6's inline mirror table: an http:// endpoint makes it pull over plain HTTP.
                + "\n" + cri + ".registry.mirrors." + Toml.quote(registry) + "]\n"
                + "  endpoint = [" + Toml.quote("http://" + registry) + "]\n";
    }

    /** The bench's standard chain (bridge + host-local + portmap); containerd adds the loopback plugin itself. */
    CniChain chain() {
        return new CniChain(NETWORK_NAME, bridge, subnet, ipamDir);
    }

    String conflist() {
        return chain().conflist();
    }

    /** True when this process may not lower oom_score_adj (no CAP_SYS_RESOURCE): containerd then cannot either. */
    static boolean restrictOomScoreAdj() {
        return !Capabilities.effective().contains(Capabilities.SYS_RESOURCE);
    }
}
