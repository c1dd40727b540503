package dev.berth.cri.wiring;

import dev.berth.cni.PodAttachment;
import dev.berth.cni.PodNetwork;
import dev.berth.cni.PodNetworkRequest;
import dev.berth.common.net.NetnsCreator;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.runtime.sandbox.SandboxConfigs;
import dev.berth.runtime.spi.PodNetworkProvider;
import dev.berth.runtime.spi.PodNetworkStatus;
import java.nio.file.Path;

/** Attaches pod sandboxes to the pod network (built-in bridge or CNI plugins) through cni-bridge. */
public final class CniNetworkProvider implements PodNetworkProvider {

    private final PodNetwork network;

    public CniNetworkProvider(PodNetwork network) {
        this.network = network;
    }

    @Override
    public PodNetworkStatus attach(String sandboxId, Path netnsPath, NetnsCreator netns, PodSandboxConfig config) {
        PodSandboxMetadata metadata = config.getMetadata();
        PodNetworkRequest request = PodNetworkRequest.of(sandboxId, netnsPath, metadata.getName(),
                        metadata.getNamespace(), metadata.getUid())
                .withPortMappings(SandboxConfigs.portMappings(config.getPortMappingsList()));
        if (config.hasDnsConfig()) {
            request = request.withDns(SandboxConfigs.dns(config.getDnsConfig()));
        }
        PodAttachment attachment = network.attach(request, netns);
        return new PodNetworkStatus(attachment.primaryIp(), attachment.additionalIps());
    }

    @Override
    public void detach(String sandboxId, Path netnsPath, PodSandboxConfig config) {
        network.detach(sandboxId);
    }
}
