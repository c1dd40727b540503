package dev.berth.cri.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.cri.BerthDaemon;
import dev.berth.cri.config.BerthConfig;
import dev.berth.cri.config.ConfigLoader;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.testing.cri.CriClient;
import dev.berth.testing.image.BusyboxImages;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts a real berth (the same {@link BerthDaemon#start} path as `berth serve`) on a temporary socket with
 * temporary state directories, hands tests a {@link CriClient}, and removes everything afterwards.
 *
 * <pre>
 * {@literal @}RegisterExtension
 * static final BerthServerExtension berth = BerthServerExtension.create().withToml("[images]\npull_parallelism = 4");
 * </pre>
 */
public final class BerthServerExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private final List<String> extraToml = new ArrayList<>();
    private final List<String> extraServerKeys = new ArrayList<>();
    private final TestNetwork network = TestNetwork.random();
    // Pods in tests name this parent, as the kubelet always names one (/kubepods/...), so removal is exact.
    private final String cgroupParent = "/berth-test-" + Long.toHexString(System.nanoTime());
    private Path home;
    private Path state;
    private BerthDaemon daemon;
    private CriClient client;

    private BerthServerExtension() {
    }

    public static BerthServerExtension create() {
        return new BerthServerExtension();
    }

    /**
     * Adds TOML (whole tables) to the generated config; the generated one has [server], [storage], [metrics] and
     * [network].
     */
    public BerthServerExtension withToml(String toml) {
        extraToml.add(toml);
        return this;
    }

    /** Adds {@code key = value} lines to the generated [server] table. */
    public BerthServerExtension withServerKeys(String lines) {
        extraServerKeys.add(lines);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    public void start() {
        try {
            home = Files.createTempDirectory("berth-test-");
            // Short on purpose: conmon's attach socket lives at <state>/sock/<64-hex id>/attach and a unix socket
            // path must stay under 108 bytes.
            state = Files.createTempDirectory(Path.of("/run"), "bt");
            // Searchable by others like berth's default /var/lib/berth and /run/berth: a pod in its own user
            // namespace reaches its root filesystem and files through these as a non-root host id.
            for (Path dir : new Path[] {home, state}) {
                Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString(
                        "rwx--x--x"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        daemon = BerthDaemon.start(config());
        client = CriClient.connect(socket());
    }

    /** Stops the daemon the way SIGTERM does, leaving the state directories for a restart. */
    public void stopDaemon() {
        if (client != null) {
            client.close();
            client = null;
        }
        if (daemon != null) {
            daemon.close();
            daemon = null;
        }
    }

    /** Starts a new daemon on the same directories, as after a crash or an upgrade. */
    public void restartDaemon() {
        stopDaemon();
        daemon = BerthDaemon.start(config());
        client = CriClient.connect(socket());
    }

    public void stop() {
        stopDaemon();
        network.remove();
        Leftovers.removeCgroupParent(cgroupParent);
        for (Path dir : new Path[] {state, home}) {
            if (dir != null) {
                Leftovers.removeDirectory(dir);
            }
        }
        home = null;
        state = null;
    }

    public BerthConfig config() {
        return new ConfigLoader().parse(toml(), home.resolve("config.toml"));
    }

    public String toml() {
        StringBuilder toml = new StringBuilder()
                .append("[server]\nsocket = \"").append(socket()).append("\"\nlog_level = \"info\"\n")
                .append("shutdown_grace_seconds = 5\n");
        extraServerKeys.forEach(keys -> toml.append(keys).append('\n'));
        toml.append("[storage]\nroot = \"").append(home.resolve("root")).append("\"\n")
                .append("state = \"").append(state).append("\"\n")
                .append("[metrics]\naddress = \"127.0.0.1:0\"\n")
                .append(network.toml(home.resolve("cni-conf").toString()));
        extraToml.forEach(extra -> toml.append(extra).append('\n'));
        return toml.toString();
    }

    /** The cgroup parent test pods should put in {@code linux.cgroup_parent}. */
    public String cgroupParent() {
        return cgroupParent;
    }

    public TestNetwork network() {
        return network;
    }

    /** The volatile state directory (namespace pins, monitor sockets), under /run. */
    public Path state() {
        return state;
    }

    public Path home() {
        return home;
    }

    public Path socket() {
        return home.resolve("berth.sock");
    }

    public BerthDaemon daemon() {
        return daemon;
    }

    public CriClient client() {
        return client;
    }

    /** Builds the test busybox image, pushes it as {@code repository:v1} and pulls it into this daemon. */
    public PushedImage pullBusybox(TestRegistry registry, String repository) {
        PushedImage busybox = BusyboxImages.busybox(registry, repository, "v1");
        client.images().pullImage(PullImageRequest.newBuilder()
                .setImage(ImageSpec.newBuilder().setImage(busybox.reference())).build());
        return busybox;
    }

    /** After {@link #stopDaemon()}: no pod mount, process or pod cgroup of this daemon is left on the host. */
    public void assertNothingLeft() {
        assertEquals(List.of(), Leftovers.podMountsUnder(home, state), "pod mounts left behind");
        assertEquals(List.of(), Leftovers.processesUsing(home, state), "processes left behind");
        assertEquals(List.of(), Leftovers.podCgroupsUnder(cgroupParent), "pod cgroups left behind");
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == CriClient.class || type == BerthDaemon.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == CriClient.class ? client : daemon;
    }
}
