package dev.berth.cri.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamUrlsTest {

    private final StreamRequest exec = new StreamRequest.Exec("c", List.of("sh"),
            new StreamOptions(true, true, false, true));
    private final StreamRequest attach = new StreamRequest.Attach("c", new StreamOptions(false, true, true, false));
    private final StreamRequest forward = new StreamRequest.PortForward("s", List.of(80));

    @Test
    void loopbackAddressIsUsedAsBound() {
        StreamUrls urls = new StreamUrls(new InetSocketAddress("127.0.0.1", 41000), false);
        assertEquals("http://127.0.0.1:41000/exec/TOK", urls.url(exec, "TOK"));
        assertEquals("http://127.0.0.1:41000/attach/TOK", urls.url(attach, "TOK"));
        assertEquals("http://127.0.0.1:41000/portforward/TOK", urls.url(forward, "TOK"));
    }

    @Test
    void wildcardBecomesLoopbackNeverZeroOrEmpty() {
        assertEquals("https://127.0.0.1:8443/exec/T",
                new StreamUrls(new InetSocketAddress("0.0.0.0", 8443), true).url(exec, "T"));
        assertEquals("http://[::1]:8080/exec/T",
                new StreamUrls(new InetSocketAddress("::", 8080), false).url(exec, "T"));
    }

    @Test
    void ipv6HostIsBracketed() {
        assertEquals("http://[0:0:0:0:0:0:0:1]:9/portforward/T",
                new StreamUrls(new InetSocketAddress("::1", 9), false).url(forward, "T"));
    }
}
