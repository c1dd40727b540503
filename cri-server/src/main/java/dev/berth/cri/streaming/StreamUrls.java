package dev.berth.cri.streaming;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Builds the URLs the CRI calls return. The host is one the client can dial: a wildcard bind address (0.0.0.0, ::)
 * is not dialable everywhere, so the loopback of the same family stands in for it (the kubelet runs on this node).
 */
public final class StreamUrls {

    private final String base;

    public StreamUrls(InetSocketAddress bound, boolean tls) {
        this.base = (tls ? "https" : "http") + "://" + host(bound.getAddress()) + ":" + bound.getPort() + "/";
    }

    public String url(StreamRequest request, String token) {
        return base + request.kind() + "/" + token;
    }

    private static String host(InetAddress address) {
        if (address.isAnyLocalAddress()) {
            return address instanceof Inet6Address ? "[::1]" : "127.0.0.1";
        }
        String literal = address.getHostAddress();
        int scope = literal.indexOf('%');
        if (address instanceof Inet6Address) {
            // A zone in a URL host must be escaped as %25; loopback and global addresses have none.
            return "[" + (scope < 0 ? literal : literal.substring(0, scope) + "%25" + literal.substring(scope + 1))
                    + "]";
        }
        return literal;
    }
}
