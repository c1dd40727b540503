package dev.berth.cri.streaming;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Picks the protocol for a stream request the way the Kubernetes streaming servers do, so clients that try one
 * protocol and fall back to another get the answers they expect:
 * <ul>
 * <li>{@code Upgrade: websocket} with {@code Connection: upgrade} is a WebSocket request; the first subprotocol the
 * client lists that the server speaks wins; none listed means the plain channel protocol; only unknown ones is
 * 403.</li>
 * <li>Anything else must be a SPDY/3.1 upgrade: no {@code X-Stream-Protocol-Version} is 400; versions the server
 * does not speak is 403 with {@code X-Accepted-Stream-Protocol-Versions}; missing upgrade headers is 400.</li>
 * </ul>
 */
final class Negotiation {

    static final List<String> SPDY_COMMAND = List.of("v4.channel.k8s.io", "v3.channel.k8s.io",
            "v2.channel.k8s.io", "channel.k8s.io");
    static final List<String> SPDY_PORT_FORWARD = List.of("portforward.k8s.io");
    static final List<String> WEBSOCKET_COMMAND = List.of("v5.channel.k8s.io", "v4.channel.k8s.io",
            "v4.base64.channel.k8s.io", "channel.k8s.io", "base64.channel.k8s.io");
    static final List<String> WEBSOCKET_PORT_FORWARD = List.of("v4.channel.k8s.io", "v4.base64.channel.k8s.io",
            "portforward.k8s.io");

    /** The outcome of negotiation. */
    sealed interface Result {
    }

    record Spdy(String protocol) implements Result {
    }

    /** {@code subprotocol} is "" when the client named none. */
    record WebSocket(String subprotocol) implements Result {
        boolean base64() {
            return subprotocol.contains("base64");
        }

        /** v4 and later report the outcome as Status JSON. */
        boolean statusJson() {
            return subprotocol.startsWith("v4.") || subprotocol.startsWith("v5.");
        }

        boolean closeSignals() {
            return subprotocol.startsWith("v5.");
        }
    }

    record Refused(HttpResponseStatus status, String message, List<String> acceptedVersions) implements Result {
    }

    private Negotiation() {
    }

    static Result decide(HttpHeaders headers, boolean portForward) {
        if (isWebSocket(headers)) {
            List<String> offered = commaSeparated(headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL));
            if (offered.isEmpty()) {
                return new WebSocket("");
            }
            List<String> supported = portForward ? WEBSOCKET_PORT_FORWARD : WEBSOCKET_COMMAND;
            for (String protocol : offered) {
                if (supported.contains(protocol)) {
                    return new WebSocket(protocol);
                }
            }
            return new Refused(HttpResponseStatus.FORBIDDEN, "requested protocol(s) are not supported: "
                    + offered + "; supports " + supported, List.of());
        }
        List<String> offered = commaSeparated(headers.getAll("X-Stream-Protocol-Version"));
        List<String> supported = portForward ? SPDY_PORT_FORWARD : SPDY_COMMAND;
        if (offered.isEmpty()) {
            return new Refused(HttpResponseStatus.BAD_REQUEST,
                    "unable to upgrade: X-Stream-Protocol-Version is required", List.of());
        }
        String chosen = offered.stream().filter(supported::contains).findFirst().orElse(null);
        if (chosen == null) {
            return new Refused(HttpResponseStatus.FORBIDDEN, "unable to upgrade: unable to negotiate protocol: "
                    + "client supports " + offered + ", server accepts " + supported, supported);
        }
        if (!connectionUpgrade(headers)
                || !"spdy/3.1".equals(headers.get(HttpHeaderNames.UPGRADE, "").toLowerCase(Locale.ROOT))) {
            return new Refused(HttpResponseStatus.BAD_REQUEST, "unable to upgrade: missing upgrade headers in "
                    + "request: expected Connection: Upgrade and Upgrade: SPDY/3.1 (or a WebSocket upgrade)",
                    List.of());
        }
        return new Spdy(chosen);
    }

    private static boolean isWebSocket(HttpHeaders headers) {
        return "websocket".equalsIgnoreCase(headers.get(HttpHeaderNames.UPGRADE, "")) && connectionUpgrade(headers);
    }

    private static boolean connectionUpgrade(HttpHeaders headers) {
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                if (token.strip().equalsIgnoreCase("upgrade")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<String> commaSeparated(List<String> values) {
        List<String> parsed = new ArrayList<>();
        for (String value : values) {
            for (String part : value.split(",")) {
                if (!part.isBlank()) {
                    parsed.add(part.strip());
                }
            }
        }
        return parsed;
    }
}
