package dev.berth.runtime.spi;

import dev.berth.common.net.NetnsCreator;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pod network with loopback only and no IP, for tests and nodes without CNI: the namespace is made with {@code lo}
 * up, so the pod's containers can talk over localhost; nothing else is set up.
 */
public final class NoNetwork implements PodNetworkProvider {

    private static final Logger LOG = LoggerFactory.getLogger(NoNetwork.class);

    @Override
    public PodNetworkStatus attach(String sandboxId, Path netnsPath, NetnsCreator netns, PodSandboxConfig config) {
        netns.create(List.of());
        LOG.debug("event=network_attach provider=none sandbox={}", sandboxId);
        return PodNetworkStatus.NONE;
    }

    @Override
    public void detach(String sandboxId, Path netnsPath, PodSandboxConfig config) {
        LOG.debug("event=network_detach provider=none sandbox={}", sandboxId);
    }
}
