package dev.berth.cri.wiring;

import dev.berth.cni.NetworkMode;
import dev.berth.cni.PodNetworkConfig;
import dev.berth.cri.config.BerthConfig;
import dev.berth.cri.config.NetworkSection;
import dev.berth.cri.config.RegistrySection;
import dev.berth.cri.config.RuntimeSection;
import dev.berth.image.ImageStoreConfig;
import dev.berth.image.LayerLimits;
import dev.berth.image.RegistryConfig;
import dev.berth.runtime.RuntimeConfig;
import dev.berth.runtime.host.cgroup.CgroupDriver;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Translates berth's config file into each domain module's own settings. */
public final class ModuleConfigs {

    private ModuleConfigs() {
    }

    public static ImageStoreConfig images(BerthConfig config) {
        Map<String, RegistryConfig> registries = new LinkedHashMap<>();
        config.registry().forEach((host, section) -> registries.put(host, registry(section)));
        return new ImageStoreConfig(Path.of(config.storage().root()), config.images().pullParallelism(),
                Duration.ofSeconds(config.images().progressTimeoutSeconds()), registries, config.images().pinned(),
                new LayerLimits(config.images().maxLayerUnpackedBytes(), config.images().minFreeBytes()));
    }

    private static RegistryConfig registry(RegistrySection section) {
        return new RegistryConfig(section.mirrors().stream().map(URI::create).toList(), section.insecure(),
                section.skipFallback());
    }

    public static PodNetworkConfig network(BerthConfig config) {
        NetworkSection network = config.network();
        return PodNetworkConfig.builder()
                .mode(NetworkMode.valueOf(network.mode().toUpperCase(Locale.ROOT)))
                .bridgeName(network.bridge())
                .subnetV4(network.subnet())
                .subnetV6(network.subnetV6())
                .confDir(Path.of(network.confDir()))
                .binDirs(network.binDirs().stream().map(Path::of).toList())
                .stateDir(Path.of(config.storage().root()).resolve("cni"))
                .mtu(network.mtu())
                .build();
    }

    public static CgroupDriver cgroupDriver(BerthConfig config) {
        return "systemd".equals(config.runtime().cgroupDriver()) ? CgroupDriver.SYSTEMD : CgroupDriver.CGROUPFS;
    }

    public static RuntimeConfig runtime(BerthConfig config) {
        Map<String, Path> handlers = new LinkedHashMap<>();
        config.runtime().handlers().forEach((name, handler) -> handlers.put(name, Path.of(handler.path())));
        return RuntimeConfig.defaults()
                .withDirectories(Path.of(config.storage().root()), Path.of(config.storage().state()))
                .withHandlers(handlers, config.runtime().defaultHandler())
                .withCgroupDriver(cgroupDriver(config))
                .withShmSize(config.runtime().shmSizeBytes())
                .withUnsetSeccompRuntimeDefault(RuntimeSection.RUNTIME_DEFAULT_PROFILE.equals(
                        config.runtime().unsetSeccompProfile()));
    }
}
