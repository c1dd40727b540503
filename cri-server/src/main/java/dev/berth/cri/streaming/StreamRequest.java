package dev.berth.cri.streaming;

import java.util.List;

/** What a token was issued for: the validated CRI request, kept until a client comes with the token. */
public sealed interface StreamRequest {

    /** The URL path segment this kind of request is served under. */
    String kind();

    record Exec(String containerId, List<String> cmd, StreamOptions options) implements StreamRequest {
        public Exec {
            cmd = List.copyOf(cmd);
        }

        @Override
        public String kind() {
            return "exec";
        }
    }

    record Attach(String containerId, StreamOptions options) implements StreamRequest {
        @Override
        public String kind() {
            return "attach";
        }
    }

    /** {@code ports} are the ports named in the CRI request; WebSocket clients may name them in the URL instead. */
    record PortForward(String sandboxId, List<Integer> ports) implements StreamRequest {
        public PortForward {
            ports = List.copyOf(ports);
        }

        @Override
        public String kind() {
            return "portforward";
        }
    }
}
