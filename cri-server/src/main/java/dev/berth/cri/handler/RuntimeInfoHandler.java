package dev.berth.cri.handler;

import dev.berth.common.error.BerthException;
import dev.berth.cri.BuildInfo;
import dev.berth.cri.config.BerthConfig;
import dev.berth.cri.server.VerboseInfo;
import dev.berth.proto.runtime.v1.CgroupDriver;
import dev.berth.proto.runtime.v1.LinuxRuntimeConfiguration;
import dev.berth.proto.runtime.v1.RuntimeCondition;
import dev.berth.proto.runtime.v1.RuntimeConfigResponse;
import dev.berth.proto.runtime.v1.RuntimeFeatures;
import dev.berth.proto.runtime.v1.RuntimeHandler;
import dev.berth.proto.runtime.v1.RuntimeHandlerFeatures;
import dev.berth.proto.runtime.v1.RuntimeStatus;
import dev.berth.proto.runtime.v1.StatusRequest;
import dev.berth.proto.runtime.v1.StatusResponse;
import dev.berth.proto.runtime.v1.UpdateRuntimeConfigRequest;
import dev.berth.proto.runtime.v1.VersionRequest;
import dev.berth.proto.runtime.v1.VersionResponse;
import dev.berth.runtime.HandlerFeatures;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Version, Status, RuntimeConfig and UpdateRuntimeConfig: what the kubelet asks about the runtime itself. */
public final class RuntimeInfoHandler {

    static final String KUBELET_API_VERSION = "0.1.0";
    static final String CRI_API_VERSION = "v1";

    private final BerthConfig config;
    private final Supplier<Condition> runtimeReadiness;
    private final Supplier<Condition> networkReadiness;
    private final Consumer<String> podCidrListener;
    private final Map<String, HandlerFeatures> handlerFeatures;

    /** @param handlerFeatures what each configured handler can do on this host; a handler not in it gets nothing */
    public RuntimeInfoHandler(BerthConfig config, Supplier<Condition> runtimeReadiness,
                              Supplier<Condition> networkReadiness, Consumer<String> podCidrListener,
                              Map<String, HandlerFeatures> handlerFeatures) {
        this.config = config;
        this.handlerFeatures = Map.copyOf(handlerFeatures);
        this.runtimeReadiness = runtimeReadiness;
        this.networkReadiness = networkReadiness;
        this.podCidrListener = podCidrListener;
    }

    public VersionResponse version(VersionRequest request) {
        return VersionResponse.newBuilder()
                .setVersion(KUBELET_API_VERSION)
                .setRuntimeName("berth")
                .setRuntimeVersion(BuildInfo.version())
                .setRuntimeApiVersion(CRI_API_VERSION)
                .build();
    }

    public StatusResponse status(StatusRequest request) {
        StatusResponse.Builder response = StatusResponse.newBuilder()
                .setStatus(RuntimeStatus.newBuilder()
                        .addConditions(condition("RuntimeReady", runtimeReadiness.get()))
                        .addConditions(condition("NetworkReady", networkReadiness.get())))
                // Advertise only what berth does; the kubelet exercises features it sees advertised.
                // Merge and Strict are both honoured (users and groups resolved in the image's own files).
                .setFeatures(RuntimeFeatures.newBuilder().setSupplementalGroupsPolicy(true));
        config.runtime().handlers().keySet().stream().sorted().forEach(name -> response.addRuntimeHandlers(
                RuntimeHandler.newBuilder().setName(name).setFeatures(features(name))));
        // The default handler is also reachable as "" (pods without a RuntimeClass), with the same features.
        response.addRuntimeHandlers(RuntimeHandler.newBuilder().setName("")
                .setFeatures(features(config.runtime().defaultHandler())));
        if (request.getVerbose()) {
            response.putInfo("config", VerboseInfo.snakeCaseJson(config));
            response.putInfo("handlerFeatures", VerboseInfo.json(new TreeMap<>(handlerFeatures)));
        }
        return response.build();
    }

    public RuntimeConfigResponse runtimeConfig() {
        CgroupDriver driver = "systemd".equals(config.runtime().cgroupDriver())
                ? CgroupDriver.SYSTEMD : CgroupDriver.CGROUPFS;
        return RuntimeConfigResponse.newBuilder()
                .setLinux(LinuxRuntimeConfiguration.newBuilder().setCgroupDriver(driver))
                .build();
    }

    public void updateRuntimeConfig(UpdateRuntimeConfigRequest request) {
        String cidr = request.getRuntimeConfig().getNetworkConfig().getPodCidr();
        if (cidr.isEmpty()) {
            return;
        }
        for (String part : cidr.split(",")) {
            if (!part.strip().matches("[0-9a-fA-F:.]+/\\d{1,3}")) {
                throw BerthException.invalidArgument("runtime_config.network_config.pod_cidr: \"" + cidr
                        + "\" is not a CIDR (or comma-separated CIDRs)");
            }
        }
        podCidrListener.accept(cidr);
    }

    private RuntimeHandlerFeatures features(String handler) {
        HandlerFeatures features = handlerFeatures.getOrDefault(handler, HandlerFeatures.NONE);
        return RuntimeHandlerFeatures.newBuilder()
                .setRecursiveReadOnlyMounts(features.recursiveReadOnlyMounts())
                .setUserNamespaces(features.userNamespaces())
                .build();
    }

    private static RuntimeCondition condition(String type, Condition condition) {
        return RuntimeCondition.newBuilder()
                .setType(type)
                .setStatus(condition.ready())
                .setReason(condition.reason())
                .setMessage(condition.message())
                .build();
    }

}
