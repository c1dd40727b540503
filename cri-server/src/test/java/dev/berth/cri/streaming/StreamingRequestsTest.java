package dev.berth.cri.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.AttachRequest;
import dev.berth.proto.runtime.v1.ExecRequest;
import dev.berth.proto.runtime.v1.PortForwardRequest;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class StreamingRequestsTest {

    private final TokenCache tokens = new TokenCache(Duration.ofSeconds(60));
    private final StreamingRequests requests = new StreamingRequests(new ProcessBackend(), tokens,
            new StreamUrls(new InetSocketAddress("127.0.0.1", 10010), false));

    @Test
    void execReturnsAUrlWhoseTokenHoldsTheRequest() {
        String url = requests.exec(ExecRequest.newBuilder().setContainerId(" c1 ").addAllCmd(List.of("ls", "-l"))
                .setStdout(true).setStderr(true).build()).getUrl();
        assertTrue(url.matches("http://127\\.0\\.0\\.1:10010/exec/[A-Za-z0-9_-]{24}"), url);
        String token = url.substring(url.lastIndexOf('/') + 1);
        assertEquals(Optional.of(new StreamRequest.Exec("c1", List.of("ls", "-l"),
                new StreamOptions(false, true, true, false))), tokens.consume(token));
    }

    @Test
    void attachAndPortForwardReturnTheirUrls() {
        assertTrue(requests.attach(AttachRequest.newBuilder().setContainerId("c1").setStdin(true).setTty(true)
                .build()).getUrl().contains("/attach/"));
        String url = requests.portForward(PortForwardRequest.newBuilder().setPodSandboxId("s1").addPort(80)
                .build()).getUrl();
        assertEquals(Optional.of(new StreamRequest.PortForward("s1", List.of(80))),
                tokens.consume(url.substring(url.lastIndexOf('/') + 1)));
    }

    @Test
    void malformedRequestsAreInvalidArguments() {
        assertKind(BerthException.Kind.INVALID_ARGUMENT, "container_id is required",
                () -> requests.exec(ExecRequest.newBuilder().addCmd("ls").setStdout(true).build()));
        assertKind(BerthException.Kind.INVALID_ARGUMENT, "cmd is required",
                () -> requests.exec(ExecRequest.newBuilder().setContainerId("c1").setStdout(true).build()));
        assertKind(BerthException.Kind.INVALID_ARGUMENT, "one of stdin, stdout or stderr",
                () -> requests.exec(ExecRequest.newBuilder().setContainerId("c1").addCmd("ls").build()));
        assertKind(BerthException.Kind.INVALID_ARGUMENT, "tty and stderr",
                () -> requests.exec(ExecRequest.newBuilder().setContainerId("c1").addCmd("ls").setTty(true)
                        .setStdout(true).setStderr(true).build()));
        assertKind(BerthException.Kind.INVALID_ARGUMENT, "one of stdin, stdout or stderr",
                () -> requests.attach(AttachRequest.newBuilder().setContainerId("c1").build()));
        assertKind(BerthException.Kind.INVALID_ARGUMENT, "pod_sandbox_id is required",
                () -> requests.portForward(PortForwardRequest.getDefaultInstance()));
        assertKind(BerthException.Kind.INVALID_ARGUMENT, "port 70000",
                () -> requests.portForward(PortForwardRequest.newBuilder().setPodSandboxId("s1").addPort(70000)
                        .build()));
        assertEquals(0, tokens.pendingCount());
    }

    @Test
    void theBackendDecidesWhetherTheContainerCanTakeIt() {
        assertKind(BerthException.Kind.NOT_FOUND, "container missing not found",
                () -> requests.exec(ExecRequest.newBuilder().setContainerId("missing").addCmd("ls")
                        .setStdout(true).build()));
        assertKind(BerthException.Kind.FAILED_PRECONDITION, "not running",
                () -> requests.attach(AttachRequest.newBuilder().setContainerId("stopped").setStdout(true)
                        .build()));
        assertKind(BerthException.Kind.NOT_FOUND, "pod sandbox missing not found",
                () -> requests.portForward(PortForwardRequest.newBuilder().setPodSandboxId("missing").build()));
        assertEquals(0, tokens.pendingCount());
    }

    private static void assertKind(BerthException.Kind kind, String text, Executable call) {
        BerthException e = assertThrows(BerthException.class, call);
        assertEquals(kind, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }
}
