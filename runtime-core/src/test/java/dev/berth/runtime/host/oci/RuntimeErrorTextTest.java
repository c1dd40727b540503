package dev.berth.runtime.host.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RuntimeErrorTextTest {

    @Test
    void theErrorLineIsTheReasonNotTheWarningsBeforeIt() {
        String log = "time=\"t\" level=warning msg=\"cannot toggle freezer: cgroups not configured for container\"\n"
                + "time=\"t\" level=warning msg=\"lstat : no such file or directory\"\n"
                + "time=\"t\" level=error msg=\"runc create failed: unable to start container process: exec: "
                + "\\\"sleep\\\": executable file not found in $PATH\"\n";
        assertEquals("runc create failed: unable to start container process: exec: \"sleep\": executable file not "
                + "found in $PATH", RuntimeErrorText.of(log));
    }

    @Test
    void withoutAnErrorLineTheLastMessageOrThePlainTextIsKept() {
        assertEquals("container \"x\" does not exist",
                RuntimeErrorText.of("time=\"t\" level=warning msg=\"container \\\"x\\\" does not exist\"\n"));
        assertEquals("crun: no such container", RuntimeErrorText.of("crun: no such container\n"));
    }
}
