package dev.berth.cri.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.testing.streaming.SpdyClient;
import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.cri.testing.Leftovers;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.PortForwardRequest;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.testing.image.BusyboxImages;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Port-forward through the real daemon and a SPDY client of the tests' own: to a busybox httpd in a pod's network
 * namespace and in a host-network pod, two connections at once, and to a port nothing listens on.
 */
@Tag("host")
class PortForwardSessionsTest {

    static final TestRegistry registry = TestRegistry.start();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n");

    static StreamPods pods;

    @BeforeAll
    static void pull() {
        PushedImage busybox = BusyboxImages.busybox(registry, "streams/busybox", "v1");
        berth.client().images().pullImage(PullImageRequest.newBuilder()
                .setImage(ImageSpec.newBuilder().setImage(busybox.reference())).build());
        pods = new StreamPods(berth, busybox.imageId());
    }

    @AfterAll
    static void checkLeftovers() {
        registry.close();
        berth.stopDaemon();
        assertEquals(List.of(), Leftovers.processesUsing(berth.home(), berth.state()), "processes left behind");
        assertEquals(List.of(), Leftovers.podCgroupsUnder(berth.cgroupParent()), "pod cgroups left behind");
    }

    @Test
    void forwardsTwoConnectionsAtOnceToAnHttpdInThePodAndRefusesAClosedPort() throws Exception {
        StreamPods.Pod pod = pods.runPod("pf-pod", false);
        try {
            checkHttpd(pod, 8080);
        } finally {
            pods.removePod(pod);
        }
    }

    @Test
    void forwardsToAnHttpdInAHostNetworkPod() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        StreamPods.Pod pod = pods.runPod("pf-host", true);
        try {
            checkHttpd(pod, port);
        } finally {
            pods.removePod(pod);
        }
    }

    private static void checkHttpd(StreamPods.Pod pod, int port) throws Exception {
        String id = pods.run(pod, "httpd", ContainerConfig.newBuilder(), "sh", "-c",
                "echo hello from the pod > /tmp/index.html && exec httpd -f -p 127.0.0.1:" + port + " -h /tmp");
        try {
            pods.awaitSuccess(id, "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:" + port + "/index.html");
            String url = berth.client().runtime().portForward(PortForwardRequest.newBuilder()
                    .setPodSandboxId(pod.id()).addPort(port).build()).getUrl();
            try (SpdyClient client = SpdyClient.connect(url, "portforward.k8s.io")) {
                String p = Integer.toString(port);
                SpdyClient.Stream error1 = client.open(Map.of("streamtype", "error", "port", p, "requestid", "1"));
                SpdyClient.Stream data1 = client.open(Map.of("streamtype", "data", "port", p, "requestid", "1"));
                SpdyClient.Stream error2 = client.open(Map.of("streamtype", "error", "port", p, "requestid", "2"));
                SpdyClient.Stream data2 = client.open(Map.of("streamtype", "data", "port", p, "requestid", "2"));
                // Both connections are open before either one sends its request.
                data1.write("GET /index.html HTTP/1.0\r\n");
                data2.write("GET /index.html HTTP/1.0\r\n\r\n");
                data2.close();
                String second = data2.readAll();
                data1.write("\r\n");
                data1.close();
                String first = data1.readAll();
                assertTrue(first.startsWith("HTTP/1.") && first.contains("hello from the pod"), first);
                assertTrue(second.startsWith("HTTP/1.") && second.contains("hello from the pod"), second);
                assertEquals("", error1.readAll());
                assertEquals("", error2.readAll());

                String closed = Integer.toString(port + 1);
                SpdyClient.Stream error3 = client.open(Map.of("streamtype", "error", "port", closed,
                        "requestid", "3"));
                SpdyClient.Stream data3 = client.open(Map.of("streamtype", "data", "port", closed,
                        "requestid", "3"));
                String message = error3.readAll();
                assertTrue(message.contains("Connection refused"), message);
                assertEquals("", data3.readAll());
            }
        } finally {
            pods.remove(id);
        }
    }
}
