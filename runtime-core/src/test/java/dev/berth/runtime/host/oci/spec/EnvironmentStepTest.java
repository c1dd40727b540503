package dev.berth.runtime.host.oci.spec;

import static dev.berth.runtime.host.oci.spec.SpecFixture.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.image.ImageUser;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.KeyValue;
import dev.berth.runtime.host.oci.ImageDefaults;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentStepTest {

    @TempDir
    Path tmp;
    SpecFixture fixture;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new SpecFixture(tmp);
    }

    List<String> env(ContainerConfig.Builder config) {
        return fixture.apply(config, new EnvironmentStep()).process().env();
    }

    @Test
    void envMergesImageThenConfigByName() {
        List<String> env = env(config().addEnvs(KeyValue.newBuilder().setKey("SHARED").setValue("config"))
                .addEnvs(KeyValue.newBuilder().setKey("NEW").setValue("v=1")));
        assertEquals(List.of("HOSTNAME=pod-host", "PATH=/image/bin", "IMG=1", "SHARED=config", "NEW=v=1"), env);
    }

    @Test
    void pathDefaultsWhenNobodySetsIt() {
        fixture.image = new ImageDefaults(List.of(), List.of("x"), List.of(), "", ImageUser.UNSET, "", "");
        List<String> env = env(config().setTty(true));
        assertTrue(env.contains("PATH=" + EnvironmentStep.DEFAULT_PATH));
        assertTrue(env.contains("TERM=xterm"));
    }

    @Test
    void imageEntriesWithoutValueAndConfigEntriesWithoutNameAreHandled() {
        fixture.image = new ImageDefaults(List.of(), List.of("x"), List.of("BARE", "=nameless"), "", ImageUser.UNSET, "", "");
        List<String> env = env(config().addEnvs(KeyValue.newBuilder().setKey("").setValue("dropped")));
        assertEquals(List.of("HOSTNAME=pod-host", "BARE=", "PATH=" + EnvironmentStep.DEFAULT_PATH), env);
    }
}
