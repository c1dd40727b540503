package dev.berth.runtime.spi;

import dev.berth.common.net.NetnsCreator;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import java.nio.file.Path;

/**
 * Connects a pod's network namespace to the node's network. cri-server fills this with cni-bridge.
 * Never called for host-network pods.
 */
public interface PodNetworkProvider {

    /**
     * Sets the pod's network up (CNI ADD) and returns its addresses. The namespace at {@code netnsPath} does not
     * exist yet: the provider makes it through {@code netns} (exactly once, before using the path), passing the
     * commands its pod side needs. A failure after that leaves the namespace for the caller to remove.
     */
    PodNetworkStatus attach(String sandboxId, Path netnsPath, NetnsCreator netns, PodSandboxConfig config);

    /**
     * Tears the pod's network down (CNI DEL). Idempotent and best-effort: a namespace that is already gone or a
     * network that was never set up is fine: the kubelet
     * retries StopPodSandbox until it succeeds, so a teardown that fails on a missing namespace would never end.
     */
    void detach(String sandboxId, Path netnsPath, PodSandboxConfig config);
}
