package dev.berth.cri.streaming;

import dev.berth.common.error.BerthException;
import java.util.List;

/**
 * Stands in until runtime-core offers exec, attach and port-forward sessions: the CRI calls validate their
 * request and then answer UNIMPLEMENTED, as they did before the streaming server existed.
 */
public final class UnavailableBackend implements StreamingBackend {

    @Override
    public void checkExec(String containerId) {
        throw unavailable("exec");
    }

    @Override
    public void checkAttach(String containerId) {
        throw unavailable("attach");
    }

    @Override
    public void checkPortForward(String sandboxId) {
        throw unavailable("port-forward");
    }

    @Override
    public StreamSession exec(String containerId, List<String> cmd, StreamOptions options) {
        throw unavailable("exec");
    }

    @Override
    public StreamSession attach(String containerId, StreamOptions options) {
        throw unavailable("attach");
    }

    @Override
    public PortConnection portForward(String sandboxId, int port) {
        throw unavailable("port-forward");
    }

    private static BerthException unavailable(String what) {
        return new BerthException(BerthException.Kind.UNIMPLEMENTED, what
                + " is not available yet: the runtime does not offer streaming sessions");
    }
}
