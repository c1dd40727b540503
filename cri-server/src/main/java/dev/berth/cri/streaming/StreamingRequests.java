package dev.berth.cri.streaming;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.AttachRequest;
import dev.berth.proto.runtime.v1.AttachResponse;
import dev.berth.proto.runtime.v1.ExecRequest;
import dev.berth.proto.runtime.v1.ExecResponse;
import dev.berth.proto.runtime.v1.PortForwardRequest;
import dev.berth.proto.runtime.v1.PortForwardResponse;

/**
 * The CRI side of streaming: Exec, Attach and PortForward validate the request, ask the backend whether the
 * container or sandbox can take it, and answer with a single-use URL on the streaming server. Nothing runs until
 * a client comes to that URL.
 */
public final class StreamingRequests {

    private final StreamingBackend backend;
    private final TokenCache tokens;
    private final StreamUrls urls;

    public StreamingRequests(StreamingBackend backend, TokenCache tokens, StreamUrls urls) {
        this.backend = backend;
        this.tokens = tokens;
        this.urls = urls;
    }

    public ExecResponse exec(ExecRequest request) {
        String id = requiredId(request.getContainerId(), "container_id");
        if (request.getCmdCount() == 0) {
            throw BerthException.invalidArgument("cmd is required");
        }
        StreamOptions options = options(request.getStdin(), request.getStdout(), request.getStderr(),
                request.getTty());
        backend.checkExec(id);
        return ExecResponse.newBuilder()
                .setUrl(issue(new StreamRequest.Exec(id, request.getCmdList(), options))).build();
    }

    public AttachResponse attach(AttachRequest request) {
        String id = requiredId(request.getContainerId(), "container_id");
        StreamOptions options = options(request.getStdin(), request.getStdout(), request.getStderr(),
                request.getTty());
        backend.checkAttach(id);
        return AttachResponse.newBuilder().setUrl(issue(new StreamRequest.Attach(id, options))).build();
    }

    public PortForwardResponse portForward(PortForwardRequest request) {
        String id = requiredId(request.getPodSandboxId(), "pod_sandbox_id");
        for (int port : request.getPortList()) {
            if (port < 1 || port > 65535) {
                throw BerthException.invalidArgument("port " + port + " is outside 1..65535");
            }
        }
        backend.checkPortForward(id);
        return PortForwardResponse.newBuilder()
                .setUrl(issue(new StreamRequest.PortForward(id, request.getPortList()))).build();
    }

    private String issue(StreamRequest request) {
        return urls.url(request, tokens.issue(request));
    }

    private static String requiredId(String value, String field) {
        String id = value.strip();
        if (id.isEmpty()) {
            throw BerthException.invalidArgument(field + " is required");
        }
        return id;
    }

    private static StreamOptions options(boolean stdin, boolean stdout, boolean stderr, boolean tty) {
        if (!stdin && !stdout && !stderr) {
            throw BerthException.invalidArgument("one of stdin, stdout or stderr must be set");
        }
        if (tty && stderr) {
            // A terminal has one output; there is nothing to put on a separate stderr.
            throw BerthException.invalidArgument("tty and stderr cannot both be set");
        }
        return new StreamOptions(stdin, stdout, stderr, tty);
    }
}
