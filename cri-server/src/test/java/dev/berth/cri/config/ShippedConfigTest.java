package dev.berth.cri.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** deploy/config.toml is documentation of the defaults: it must parse and say exactly what the daemon uses. */
class ShippedConfigTest {

    @Test
    void shippedConfigEqualsTheEmbeddedDefaults() {
        Path shipped = Path.of("..", "deploy", "config.toml");
        assertEquals(BerthConfig.defaults(), new ConfigLoader().load(shipped, true));
    }
}
