package dev.berth.runtime.host.oci.spec;

import static dev.berth.runtime.host.oci.spec.SpecFixture.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.common.error.BerthException;
import dev.berth.common.image.ImageUser;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.runtime.host.oci.ImageDefaults;
import dev.berth.runtime.host.oci.OciSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandStepTest {

    @TempDir
    Path tmp;
    SpecFixture fixture;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new SpecFixture(tmp);
    }

    OciSpec.Process process(ContainerConfig.Builder config) {
        return fixture.apply(config, new CommandStep()).process();
    }

    @Test
    void noCommandNoArgsRunsImageEntrypointAndCmd() {
        assertEquals(List.of("/entry", "cmd1", "cmd2"), process(config()).args());
    }

    @Test
    void argsAloneReplaceCmdAndKeepEntrypoint() {
        assertEquals(List.of("/entry", "a"), process(config().addArgs("a")).args());
    }

    @Test
    void commandReplacesEntrypointAndDropsImageCmd() {
        assertEquals(List.of("/bin/sh"), process(config().addCommand("/bin/sh")).args());
        assertEquals(List.of("/bin/sh", "-c", "x"),
                process(config().addCommand("/bin/sh").addArgs("-c").addArgs("x")).args());
    }

    @Test
    void nothingToRunIsInvalid() {
        fixture.image = ImageDefaults.empty();
        BerthException e = assertThrows(BerthException.class, () -> process(config()));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, e.kind());
    }

    @Test
    void workingDirFromConfigThenImageThenRoot() {
        assertEquals("/work", process(config()).cwd());
        assertEquals("/srv", process(config().setWorkingDir("/srv")).cwd());
        fixture.image = new ImageDefaults(List.of(), List.of("x"), List.of(), "", ImageUser.UNSET, "", "");
        assertEquals("/", process(config()).cwd());
        fixture.image = new ImageDefaults(List.of(), List.of("x"), List.of(), "data", ImageUser.UNSET, "", "");
        assertEquals("/data", process(config()).cwd());
    }

    @Test
    void terminalFollowsTty() {
        assertEquals(Boolean.FALSE, process(config()).terminal());
        assertEquals(Boolean.TRUE, process(config().setTty(true)).terminal());
    }
}
